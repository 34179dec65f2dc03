package media

// LockKey is the advisory lock key of an upload, for the test that holds
// two instances to one upload.
var LockKey = lockKey
