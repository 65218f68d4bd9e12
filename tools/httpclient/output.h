// Where squall-httpclient writes bodies: standard output, or -o FILE through a temporary file
// beside it that replaces FILE only once every fetch has succeeded, so a failed fetch leaves an
// existing FILE as it was (curl truncates it). Part of the tool (Tornado's main() only prints).
#pragma once

#include <cstdio>
#include <memory>
#include <string>
#include <string_view>

namespace squall::tools {

class Output {
public:
    /// Standard output.
    Output();
    /// FILE, through a temporary file in its directory; a device or FIFO is written directly.
    /// Throws std::system_error with the reason when the file cannot be made.
    explicit Output(const std::string& path);
    Output(const Output&) = delete;
    Output& operator=(const Output&) = delete;
    /// Removes the temporary file unless commit() renamed it.
    ~Output();

    /// False on a write error, with errno set.
    bool write(std::string_view data);
    bool flush();
    /// Flushes and puts the file in place; false on an error, with errno set.
    bool commit();
    bool is_stdout() const noexcept { return file_ == stdout; }

private:
    std::FILE* file_;
    std::string path_, temp_path_;  // temp_path_ empty: writing to path_ (or stdout) directly
};

}  // namespace squall::tools
