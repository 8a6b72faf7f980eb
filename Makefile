# The two commands of the README: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
export FLASK_APP := wsgi
# `make run PORT=8080 HOST=0.0.0.0` serves elsewhere. HOST only from the
# command line: zsh exports HOST (the machine's name) to every command.
PORT ?= 5000
ifneq ($(origin HOST),command line)
HOST := 127.0.0.1
endif

.PHONY: run test install install-test db demo lint bench clean clean-db

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip

# Re-install when pyproject.toml changes (the stamp file records the last install).
$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@ $(VENV)/.installed

install: $(VENV)/.installed
install-test: $(VENV)/.installed-test

db: install
	$(BIN)/flask db upgrade

# Loads the demo boards only into an empty database (load-demo refuses otherwise).
demo: db
	$(BIN)/flask load-demo --if-empty

run: demo
	$(BIN)/flask run --host $(HOST) --port $(PORT)

test: install-test
	$(BIN)/pytest $(PYTEST_ARGS)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

bench: install
	$(BIN)/python bench/board_render.py

# Removes the virtualenv only: the database holds real boards and history.
clean:
	rm -rf $(VENV)

# Deletes the SQLite database (every board, user and Event): asks first.
clean-db:
	@printf 'Slet databasen instance/*.sqlite3 (alle tavler, brugere og historik)? Skriv ja: '; \
	read answer; [ "$$answer" = ja ] || { echo 'Intet slettet.'; exit 1; }
	rm -f instance/*.sqlite3 instance/*.sqlite3-wal instance/*.sqlite3-shm instance/*.sqlite3-writers
