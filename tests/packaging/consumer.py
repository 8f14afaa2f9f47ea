"""A consumer of the installed wheel: fetch one instance over HTTP and print its runner variant.

Run by test_wheel.py with the fresh virtualenv's Python: `python consumer.py BASE_URL API_KEY INSTANCE_ID`.
It imports nothing from this project, only the installed package.
"""

import sys

from currents_api_client import AuthenticatedClient, errors
from currents_api_client.api.instances import get_instance

base_url, api_key, instance_id = sys.argv[1:4]
with AuthenticatedClient(token=api_key, base_url=base_url) as client:
    instance = get_instance.sync(instance_id, client=client).data
    print(type(instance).__name__, instance.instance_id)
    try:
        get_instance.sync("no-such-instance", client=client)
    except errors.NotFoundError as error:
        print(error)
