// Expected failures are values: a Result<T> holds either a T or an Error that
// says what, where and why. Exceptions are kept for bugs and start-up failure.
#pragma once

#include <cerrno>
#include <cstring>
#include <string>
#include <utility>
#include <variant>

#include "daemon/common/failure.hpp"

namespace dockd {

struct Error {
    std::string message;                      // "bay 3: DCIM/a.mp4: read at 1048576: Input/output error"
    int sys_errno = 0;                        // errno when the cause was a system call, else 0
    Failure failure = Failure::unclassified;  // how to treat it, where the cause is known

    // Prefixes context so errors read outermost-first: "bay 3: " + inner.
    Error context(const std::string& where) const { return {where + ": " + message, sys_errno, failure}; }
};

// An Error from the current errno, e.g. sys_error("open " + path).
inline Error sys_error(const std::string& what, int err = errno) {
    return {what + ": " + std::strerror(err), err};
}

template <class T>
class [[nodiscard]] Result {
public:
    // Asio's co_spawn needs a default; an unset Result is a failure, never a value.
    Result() : v_(Error{"no result"}) {}
    Result(T value) : v_(std::move(value)) {}
    Result(Error error) : v_(std::move(error)) {}

    bool ok() const { return v_.index() == 0; }
    explicit operator bool() const { return ok(); }
    T& value() & { return std::get<0>(v_); }
    const T& value() const& { return std::get<0>(v_); }
    T&& value() && { return std::get<0>(std::move(v_)); }
    T& operator*() & { return value(); }
    const T& operator*() const& { return value(); }
    T* operator->() { return &value(); }
    const T* operator->() const { return &value(); }
    const Error& error() const { return std::get<1>(v_); }

private:
    std::variant<T, Error> v_;
};

template <>
class [[nodiscard]] Result<void> {
public:
    Result() = default;
    Result(Error error) : error_(std::move(error)), ok_(false) {}

    bool ok() const { return ok_; }
    explicit operator bool() const { return ok_; }
    const Error& error() const { return error_; }

private:
    Error error_;
    bool ok_ = true;
};

}  // namespace dockd
