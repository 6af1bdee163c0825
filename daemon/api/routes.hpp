// The station's HTTP API (DESIGN §9), the part the first station needs:
// station summary, bays, ledger (JSON/CSV), audit verification.
#pragma once

#include <string>
#include <vector>

#include "daemon/api/http_message.hpp"
#include "daemon/station/station.hpp"

namespace dockd::api {

class Routes {
public:
    // tokens: bearer tokens accepted; empty = loopback-only station (config enforces it).
    Routes(station::Station& station, std::vector<std::string> tokens);
    HttpReply operator()(const HttpRequest& req);

private:
    HttpReply station_summary();
    HttpReply bays();
    HttpReply ledger(const HttpRequest& req);
    HttpReply verify();

    station::Station& station_;
    std::vector<std::string> tokens_;
};

// Reads "TOKEN [role] [name]" lines from the (0600) tokens file.
Result<std::vector<std::string>> load_tokens(const std::string& path);
// RFC 4180 CSV of the ledger, UTF-8 with a BOM for spreadsheet programs.
std::string ledger_csv(const std::vector<custody::LedgerRow>& rows);

}  // namespace dockd::api
