package nutrition

import (
	"errors"
	"fmt"
)

// ErrorCode classifies a domain error. The GraphQL layer turns codes into
// `extensions.code`; an error without a code is internal and its text never
// reaches a client.
type ErrorCode string

// Error codes, as clients see them in `extensions.code`.
const (
	CodeUnauthenticated ErrorCode = "UNAUTHENTICATED"
	CodeForbidden       ErrorCode = "FORBIDDEN"
	CodeNotFound        ErrorCode = "NOT_FOUND"
	CodeConflict        ErrorCode = "CONFLICT"
	CodeInvalid         ErrorCode = "BAD_USER_INPUT"
	CodePlanLimit       ErrorCode = "PLAN_LIMIT"
	CodeRateLimited     ErrorCode = "RATE_LIMITED"
	CodeInternal        ErrorCode = "INTERNAL"
)

// Error is a domain error: a code, a message safe to show to the user and,
// for invalid input, the path of the offending field (e.g. "entries.2.grams").
type Error struct {
	Code    ErrorCode
	Field   string
	Message string
	// Err is the underlying cause, kept for logs; never shown to a client.
	Err error
}

// Error implements error.
func (e *Error) Error() string {
	msg := string(e.Code) + ": " + e.Message
	if e.Field != "" {
		msg = string(e.Code) + ": " + e.Field + ": " + e.Message
	}
	if e.Err != nil {
		msg += ": " + e.Err.Error()
	}
	return msg
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error with code and a formatted message.
func Errorf(code ErrorCode, format string, args ...any) *Error {
	return &Error{Code: code, Message: fmt.Sprintf(format, args...)}
}

// Invalid returns a BAD_USER_INPUT error for the input field at path.
func Invalid(path, format string, args ...any) *Error {
	return &Error{Code: CodeInvalid, Field: path, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns a NOT_FOUND error naming what was looked for.
func NotFound(what string) *Error {
	return &Error{Code: CodeNotFound, Message: what + " not found"}
}

// Conflict returns a CONFLICT error; field names the input that conflicts, if any.
func Conflict(field, format string, args ...any) *Error {
	return &Error{Code: CodeConflict, Field: field, Message: fmt.Sprintf(format, args...)}
}

// CodeOf returns the code of err, or CodeInternal when err carries none.
func CodeOf(err error) ErrorCode {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// FieldOf returns the offending field of err, or "".
func FieldOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Field
	}
	return ""
}

// MessageOf returns the user-facing message of err; an error without a code
// gets a generic message, since its text may hold internals.
func MessageOf(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Message
	}
	return "internal error"
}
