// How station and custody records look in the API's JSON (README "HTTP API").
#pragma once

#include <boost/json/value.hpp>
#include <string>
#include <vector>

#include "daemon/bay/bay_status.hpp"
#include "daemon/custody/records.hpp"
#include "daemon/station/station.hpp"

namespace dockd::api {

boost::json::value station_json(const station::StationSummary& s);
boost::json::value bay_json(const bay::BayStatus& b);
boost::json::value bays_json(const std::vector<bay::BayStatus>& bays);
boost::json::value file_json(const custody::FileRecord& f);
boost::json::value docking_json(const custody::DockingListRow& d);
boost::json::value annotation_json(const custody::Annotation& a);
boost::json::value upload_json(const custody::UploadRow& u);
boost::json::value ledger_json(const std::vector<custody::LedgerRow>& rows);
boost::json::value access_json(const std::vector<custody::AccessEntry>& rows);

// RFC 4180 CSV, UTF-8 with a BOM so spreadsheet programs read Chinese names.
std::string ledger_csv(const std::vector<custody::LedgerRow>& rows);
std::string access_csv(const std::vector<custody::AccessEntry>& rows);
// One CSV field: quoted when needed, spreadsheet formulas defused.
std::string csv_field(const std::string& s);
// Issue 14 (rules_views.cpp): the review statistics (seed R12) and the files
// past their description deadline by officer (R9).
boost::json::value stats_json(const std::vector<custody::StatsRow>& rows);
std::string stats_csv(const std::vector<custody::StatsRow>& rows, const std::string& by);
boost::json::value undescribed_json(const std::vector<station::OfficerUndescribed>& list);
// Seconds between two RFC 3339 times, when both parse.
std::optional<std::int64_t> span_s(const std::optional<std::string>& from, const std::optional<std::string>& to);

}  // namespace dockd::api
