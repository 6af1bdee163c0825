// dockctl commands (DESIGN §4), one small file each, over one Client.
// Exit codes: 0 ok, 1 runtime failure (daemon down, refused, not found),
// 2 usage or configuration error (bad arguments, bad input, wrong token).
#pragma once

#include <boost/json/value.hpp>
#include <optional>
#include <string>
#include <vector>

#include "daemon/dockctl/client.hpp"

namespace dockd::dockctl {

struct Options {
    bool json = false, csv = false, all = false;
    std::optional<std::string> from, to, officer, officer_name, docking, reason, case_no, category, note;
    std::optional<std::string> place, retain_class, by;  // issue 14
};

inline constexpr int exit_ok = 0, exit_failure = 1, exit_usage = 2;

// Runs one command; returns the process exit code.
int run_command(const Client& client, const std::vector<std::string>& words, const Options& o);

// --- shared by the command files ---
// The JSON reply of a 2xx request; otherwise prints why and sets `code`.
std::optional<boost::json::value> call(const Client& c, const std::string& method, const std::string& path,
                                       const std::string& body, int& code);
// Text reply (CSV) of a 2xx GET; otherwise prints why and sets `code`.
std::optional<std::string> call_text(const Client& c, const std::string& path, const std::string& accept, int& code);
// A report (ledger, stats): with --csv or --json prints it and returns
// nullopt (code set); otherwise returns the rows for a table.
std::optional<boost::json::value> report_rows(const Client& c, const std::string& path, const Options& o, int& code);
// Prints why a reply is not a success; returns the exit code it deserves.
int explain(const std::string& what, const Reply& r);
std::string str(const boost::json::value& v);  // "-" for null, strings unquoted
std::string mib(const boost::json::value& bytes);
// Prints rows as columns padded to their widest cell (UTF-8 aware).
void print_table(const std::vector<std::vector<std::string>>& rows);
int usage_error(const std::string& message);

int cmd_status(const Client& c, const std::vector<std::string>& args, const Options& o);
int cmd_ports(const Client& c, const std::vector<std::string>& args, const Options& o);
int cmd_power(const Client& c, const std::vector<std::string>& args, const Options& o);
int cmd_assign(const Client& c, const std::vector<std::string>& args, const Options& o);
int cmd_queue(const Client& c, const std::vector<std::string>& args, const Options& o);
int cmd_retain(const Client& c, const std::vector<std::string>& args, const Options& o);
int cmd_annotate(const Client& c, const std::vector<std::string>& args, const Options& o);
int cmd_ledger(const Client& c, const std::vector<std::string>& args, const Options& o);
int cmd_access_log(const Client& c, const std::vector<std::string>& args, const Options& o);
int cmd_export(const Client& c, const std::vector<std::string>& args, const Options& o);
int cmd_verify(const Client& c, const std::vector<std::string>& args, const Options& o);
int cmd_pubkey(const Client& c, const std::vector<std::string>& args, const Options& o);
int cmd_stats(const Client& c, const std::vector<std::string>& args, const Options& o);
int cmd_undescribed(const Client& c, const std::vector<std::string>& args, const Options& o);
int cmd_rotate_key(const Client& c, const std::vector<std::string>& args, const Options& o);

}  // namespace dockd::dockctl
