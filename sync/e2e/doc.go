// Package e2e holds the platform's end-to-end tests: real devices' logs,
// signed and pushed through the real client to the real platform on
// loopback, on every storage servertest opens (SQLite, and PostgreSQL and
// S3 where they are set up). It has no code of its own outside its tests.
package e2e
