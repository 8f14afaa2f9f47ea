"""The spec build and its checks: generate the client from the spec (`make generate`), refuse a stale
`generated/` (`make check-generated`), check the spec, its examples and fixtures (`make check-spec`), and check a
captured payload (`make validate`)."""
