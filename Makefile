# The two commands of README.md, and a few conveniences.
.PHONY: demo test build release bench clean

demo:            ## Run Herald end to end on a throwaway PostgreSQL and sandbox providers
	scripts/demo

test:            ## The whole test suite against a throwaway PostgreSQL
	scripts/test

build:
	swift build

release:
	swift build -c release --product herald

bench: release   ## Benchmarks (release build, throwaway PostgreSQL with fsync on)
	.build/release/herald bench queue --jobs 100000

clean:
	rm -rf .build
