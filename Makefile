# Shorthands for ./dev, which installs what is missing and does the work.
.PHONY: demo test smoke bench build deps
demo test smoke bench build deps:
	./dev $@
