# The two commands a newcomer needs: `make run` and `make test` (see README.md).
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
PORT ?= 8000
# A local secret for `make run`, created once and never committed.
SECRET_FILE := .secret_key

.PHONY: install install-test run test lint format clean

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: requirements.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -r requirements.txt
	touch $@

install: $(VENV)/.installed

# Test-only packages (requirements-test.txt), kept out of the runtime install.
$(VENV)/.installed-test: requirements-test.txt $(VENV)/.installed
	$(BIN)/python -m pip install --quiet -r requirements-test.txt
	touch $@

install-test: $(VENV)/.installed-test

$(SECRET_FILE):
	$(BIN)/python -c "import secrets; print(secrets.token_urlsafe(50))" > $@

run: install $(SECRET_FILE)
	@export SECRET_KEY="$$(cat $(SECRET_FILE))"; \
	$(BIN)/python manage.py migrate --noinput && \
	$(BIN)/python manage.py load_demo --if-empty && \
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0 && \
	echo "" && \
	echo "Serving the job board at http://127.0.0.1:$(PORT)/, with a background worker" && \
	echo "and the periodic jobs (Ctrl-C stops all three)." && \
	echo "For an admin login at /admin/, run in another terminal:" && \
	echo "  SECRET_KEY=\$$(cat $(SECRET_FILE)) $(BIN)/python manage.py createsuperuser" && \
	echo "" && \
	exec $(BIN)/python manage.py run_local --port $(PORT)

test: install-test
	$(BIN)/python -m pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

format: install
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .

clean:
	rm -rf $(VENV) staticfiles .pytest_cache
