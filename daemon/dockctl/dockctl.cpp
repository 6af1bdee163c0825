// dockctl [--url URL] [--token-file F] [--json] COMMAND (DESIGN §4)
// Exit codes: 0 ok, 1 runtime failure, 2 usage error.
#include <boost/program_options.hpp>
#include <iostream>
#include <sstream>

#include "daemon/common/fs.hpp"
#include "daemon/dockctl/commands.hpp"

namespace po = boost::program_options;
using namespace dockd::dockctl;

namespace {
const char* usage =
    "usage: dockctl [--url URL] [--token-file F] [--json] COMMAND\n"
    "  status                       station summary + one line per bay\n"
    "  ports                        bays in detail (state, recorder, officer, battery,\n"
    "                               progress, clock offset, last error)\n"
    "  power BAY on|off|cycle       hub port power (charging / recovery)\n"
    "  assign SERIAL --officer NO [--officer-name NAME]\n"
    "                               bind a recorder to an officer (custodian)\n"
    "  queue                        upload queue: pending, in flight, failing, why\n"
    "  retain FILE_ID|--docking ID [--reason TEXT] [--class C]\n"
    "                               long-term preservation flag (C: a retention class)\n"
    "  annotate FILE_ID|--docking ID [--case NO] [--category C] [--place P] [--note TEXT]\n"
    "  ledger [--from D] [--to D] [--csv]            device-use ledger (台账)\n"
    "  access-log [--csv]           who viewed/exported what (查阅登记簿)\n"
    "  stats [--from D] [--to D] [--by officer|recorder|unit] [--csv]\n"
    "                               annual review figures per group (seed R12)\n"
    "  undescribed                  files past the description deadline, by officer\n"
    "  export DOCKING_ID            the docking's signed custody record\n"
    "  verify                       check the local audit chain end to end\n"
    "  pubkey [--all]               print the station's Ed25519 public key (PEM);\n"
    "                               --all: every key it has used, oldest first\n"
    "  rotate-key                   make a new signing key (manager; DESIGN §11)\n"
    "--approval-ref REF is sent as X-Approval-Ref and written to the access register.\n"
    "--help prints this usage (man dockctl for more).\n"
    "Exit codes: 0 ok, 1 runtime failure, 2 usage or configuration error.\n";

void optional(const po::variables_map& vm, const char* name, std::optional<std::string>& out) {
    if (vm.count(name)) out = vm[name].as<std::string>();
}
}  // namespace

int main(int argc, char** argv) {
    po::options_description opts("options");
    auto add = opts.add_options();
    add("url", po::value<std::string>()->default_value("http://127.0.0.1:8470"), "daemon API");
    add("token-file", po::value<std::string>(), "file holding the bearer token (first word)");
    add("json", "machine-readable output");
    add("csv", "CSV output (ledger, access-log, stats)");
    add("all", "every key, old ones too (pubkey)");
    add("from", po::value<std::string>(), "from date (YYYY-MM-DD)");
    add("to", po::value<std::string>(), "to date (YYYY-MM-DD, inclusive)");
    add("officer", po::value<std::string>(), "officer number (assign)");
    add("officer-name", po::value<std::string>(), "officer name (assign)");
    add("docking", po::value<std::string>(), "docking id (retain, annotate)");
    add("reason", po::value<std::string>(), "why (retain)");
    add("case", po::value<std::string>(), "case number (annotate)");
    add("category", po::value<std::string>(), "category (annotate)");
    add("note", po::value<std::string>(), "note (annotate)");
    add("place", po::value<std::string>(), "place of recording (annotate)");
    add("class", po::value<std::string>(), "retention class (retain)");
    add("by", po::value<std::string>(), "officer, recorder or unit (stats)");
    add("approval-ref", po::value<std::string>(), "approval reference for the access register");
    add("help", "this help");
    add("command", po::value<std::vector<std::string>>(), "command");
    po::positional_options_description pos;
    pos.add("command", -1);
    po::variables_map vm;
    try {
        po::store(po::command_line_parser(argc, argv).options(opts).positional(pos).run(), vm);
    } catch (const std::exception& e) {
        std::cerr << "dockctl: " << e.what() << "\n" << usage;
        return exit_usage;
    }
    if (vm.count("help") || !vm.count("command")) {
        std::cout << usage;
        return vm.count("help") ? exit_ok : exit_usage;
    }
    std::string token;
    if (vm.count("token-file")) {
        auto t = dockd::read_file(vm["token-file"].as<std::string>());
        if (!t) {
            std::cerr << "dockctl: " << t.error().message << "\n";
            return exit_usage;
        }
        std::istringstream(*t) >> token;  // a bare token, or a tokens-file line "TOKEN ROLE NAME"
    }
    Options o;
    o.json = vm.count("json") > 0;
    o.csv = vm.count("csv") > 0;
    o.all = vm.count("all") > 0;
    optional(vm, "from", o.from);
    optional(vm, "to", o.to);
    optional(vm, "officer", o.officer);
    optional(vm, "officer-name", o.officer_name);
    optional(vm, "docking", o.docking);
    optional(vm, "reason", o.reason);
    optional(vm, "case", o.case_no);
    optional(vm, "category", o.category);
    optional(vm, "note", o.note);
    optional(vm, "place", o.place);
    optional(vm, "class", o.retain_class);
    optional(vm, "by", o.by);
    std::optional<std::string> approval;
    optional(vm, "approval-ref", approval);
    Client client(vm["url"].as<std::string>(), token, approval.value_or(""));
    return run_command(client, vm["command"].as<std::vector<std::string>>(), o);
}
