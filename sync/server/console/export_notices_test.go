package console

// NoticeFileType judges an attachment by its content, for the tests.
var NoticeFileType = noticeFileType
