# The README's two commands. The work is in scripts/; this file only names it.
#   make run                 the demo portal on http://127.0.0.1:8000/ (PORT=... to change)
#   make test                ruff and the whole pytest suite against PostgreSQL and Redis
#   make test ARGS='-k pdf'  extra pytest arguments (then the test database is reused)

.PHONY: run test bootstrap

run:
	scripts/run.sh

test:
	scripts/test.sh $(ARGS)

bootstrap:
	scripts/bootstrap.sh
