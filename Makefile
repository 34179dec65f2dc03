# Shorthands for ./dev, which installs what is missing and does the work.
.PHONY: demo test smoke bench build deps package package-test
demo test smoke bench build deps package package-test:
	./dev $@
