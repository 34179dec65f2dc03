package console

// Tests log in hundreds of times: a cheap Argon2id keeps them quick (the
// hashes still verify by the parameters they carry).
func init() { params = argonParams{Memory: 1024, Time: 1, Threads: 1} }
