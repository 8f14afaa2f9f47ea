"""The version rules, the breaking-change guard: classify every change of the spec and of the generated package
(`make breaking`) and hold `info.version` and CHANGELOG.md to them (`make check-version`). The rules are
`breaking.md` beside this file."""
