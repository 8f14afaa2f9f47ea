"""The release: check the client's sdist and wheel as a package index and a new user see them
(`make release-check`)."""
