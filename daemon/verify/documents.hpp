// The archive's documents as dockd-verify reads them (DESIGN §7, §11): audit
// segments, manifests, amendments and object names. Pure functions over
// bytes, no I/O and no Asio, so fuzz targets can call them directly; every
// input is untrusted until its signature and the chain say otherwise.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/common/result.hpp"

namespace dockd::verify {

struct SegmentRow {
    std::int64_t seq = 0;
    std::string at, kind, payload, hash;
};

struct ParsedSegment {
    std::vector<SegmentRow> rows;  // every line up to the first that does not parse
    std::optional<std::string> problem;
};
ParsedSegment parse_segment(std::string_view bytes);

// The rows of one segment named first..last, chained from prev_hash (the
// previous segment's last hash; nullopt when unknown, e.g. after a gap).
// Each break is reported once and the check resumes from the row's own
// hash, so one dropped line is one problem, not a cascade.
struct RowCheck {
    std::vector<std::string> problems;
    std::string first_hash, last_hash;
};
RowCheck check_rows(const std::vector<SegmentRow>& rows, std::int64_t first, std::int64_t last,
                    const std::optional<std::string>& prev_hash);

// What a verifier needs from one audit row (by kind; other kinds give none).
struct ChainFact {
    std::string kind;  // docked, file_staged, file_lost, manifest_signed, retain, annotated, key_rotated
    std::string docking;
    std::int64_t file_id = 0;
    std::string object, sha256;
    std::uint64_t size = 0;
    std::string detail;       // manifest_signed: signature hex; key_rotated: public key PEM
    std::int64_t number = 0;  // retain: files changed; key_rotated: key_no
};
std::optional<ChainFact> fact_of(const SegmentRow& row);

struct FileEntry {
    std::string object, sha256, retention;
    std::uint64_t size = 0;
    bool has_size = false;
};

struct ManifestView {
    std::string station, docking;
    std::int64_t audit_seq = 0;
    std::string audit_hash;
    std::vector<FileEntry> files;
};
Result<ManifestView> parse_manifest(std::string_view bytes);

struct AmendmentView {
    std::string station, docking;
    std::int64_t audit_seq = 0;
    std::string audit_hash;
    std::vector<FileEntry> changes;  // retention only where the amendment sets it
};
Result<AmendmentView> parse_amendment(std::string_view bytes);

// Where an object sits in the §7/§11 layout.
enum class Layout { segment, manifest, amendment, key, media, unknown };
struct ObjectName {
    Layout layout = Layout::media;
    bool signature = false;  // the ".sig" beside a document
    std::string station, docking;
    std::string document;                      // key of the document itself (without .sig)
    std::int64_t first_seq = 0, last_seq = 0;  // segment; amendment: its seq in both
    int key_no = 0;
};
// media: anything outside audit/, manifests/, amendments/, keys/; unknown: a
// name inside them that fits no document (never written by a station).
ObjectName classify(std::string_view key);

}  // namespace dockd::verify
