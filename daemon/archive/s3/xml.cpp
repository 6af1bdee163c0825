#include "daemon/archive/s3/xml.hpp"

#include <boost/property_tree/ptree.hpp>
#include <boost/property_tree/xml_parser.hpp>
#include <sstream>

namespace dockd::archive::s3 {
namespace pt = boost::property_tree;
namespace {

std::optional<pt::ptree> parse(const std::string& body) {
    if (body.empty()) return std::nullopt;
    try {
        std::istringstream in(body);
        pt::ptree tree;
        pt::read_xml(in, tree, pt::xml_parser::no_comments);
        return tree;
    } catch (const pt::ptree_error&) {
        return std::nullopt;
    }
}

}  // namespace

std::string unquote(std::string etag) {
    if (etag.size() >= 2 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, etag.size() - 2);
    return etag;
}

std::optional<S3Error> parse_error(const std::string& body) {
    auto tree = parse(body);
    if (!tree) return std::nullopt;
    auto err = tree->get_child_optional("Error");
    if (!err) return std::nullopt;
    return S3Error{err->get<std::string>("Code", ""), err->get<std::string>("Message", "")};
}

std::optional<std::string> parse_upload_id(const std::string& body) {
    auto tree = parse(body);
    if (!tree) return std::nullopt;
    auto id = tree->get_optional<std::string>("InitiateMultipartUploadResult.UploadId");
    if (!id || id->empty()) return std::nullopt;
    return *id;
}

std::optional<PartsPage> parse_list_parts(const std::string& body) {
    auto tree = parse(body);
    if (!tree) return std::nullopt;
    auto result = tree->get_child_optional("ListPartsResult");
    if (!result) return std::nullopt;
    PartsPage page;
    try {
        page.truncated = result->get<std::string>("IsTruncated", "false") == "true";
        page.next_marker = result->get<int>("NextPartNumberMarker", 0);
        for (const auto& [name, node] : *result) {
            if (name != "Part") continue;
            page.parts.push_back(Part{node.get<int>("PartNumber"), node.get<std::uint64_t>("Size"),
                                      unquote(node.get<std::string>("ETag"))});
        }
    } catch (const pt::ptree_error&) {
        return std::nullopt;
    }
    return page;
}

std::optional<ObjectsPage> parse_list_objects(const std::string& body) {
    auto tree = parse(body);
    if (!tree) return std::nullopt;
    auto result = tree->get_child_optional("ListBucketResult");
    if (!result) return std::nullopt;
    ObjectsPage page;
    try {
        page.truncated = result->get<std::string>("IsTruncated", "false") == "true";
        page.next_token = result->get<std::string>("NextContinuationToken", "");
        for (const auto& [name, node] : *result) {
            if (name != "Contents") continue;
            page.objects.push_back(ListedObject{node.get<std::string>("Key"), node.get<std::uint64_t>("Size"),
                                                unquote(node.get<std::string>("ETag", ""))});
        }
    } catch (const pt::ptree_error&) {
        return std::nullopt;
    }
    if (page.truncated && page.next_token.empty()) return std::nullopt;  // would loop forever
    return page;
}

bool object_lock_enabled(const std::string& body) {
    auto tree = parse(body);
    return tree && tree->get<std::string>("ObjectLockConfiguration.ObjectLockEnabled", "") == "Enabled";
}

std::string retention_body(const std::string& retain_until) {
    pt::ptree root;
    auto& doc = root.add_child("Retention", pt::ptree{});
    doc.put("<xmlattr>.xmlns", "http://s3.amazonaws.com/doc/2006-03-01/");
    doc.put("Mode", "COMPLIANCE");
    doc.put("RetainUntilDate", retain_until);
    std::ostringstream out;
    pt::write_xml(out, root);
    return out.str();
}

std::string complete_body(const std::vector<Part>& parts) {
    pt::ptree root;
    auto& doc = root.add_child("CompleteMultipartUpload", pt::ptree{});
    for (const auto& p : parts) {
        auto& node = doc.add_child("Part", pt::ptree{});
        node.put("PartNumber", p.number);
        node.put("ETag", "\"" + p.etag + "\"");
    }
    std::ostringstream out;
    pt::write_xml(out, root);
    return out.str();
}

}  // namespace dockd::archive::s3
