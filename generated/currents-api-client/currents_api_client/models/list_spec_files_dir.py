from typing import Literal

ListSpecFilesDir = Literal["asc", "desc"]

LIST_SPEC_FILES_DIR_VALUES: set[ListSpecFilesDir] = {
    "asc",
    "desc",
}


def check_list_spec_files_dir(value: str) -> ListSpecFilesDir:
    if value in LIST_SPEC_FILES_DIR_VALUES:
        return value
    raise TypeError(f"Unexpected value {value!r}. Expected one of {LIST_SPEC_FILES_DIR_VALUES!r}")
