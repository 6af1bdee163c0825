// Bay port power on top of hub_power: operator actions (on/off/cycle), the
// start-up stagger and the cap on bays charging at once (charge.*).
// Lives on the station's io_context; hub requests are short blocking control
// transfers (1 s timeout), a cycle's pause is a timer.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <deque>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "drivers/usb/hub_power.hpp"
#include "drivers/usb/usb_context.hpp"
#include "drivers/usb/usb_options.hpp"

namespace dockd::drivers::usb {

class PortPower {
public:
    // Every action, by the operator ("api") or by the station ("stagger",
    // "recovery"), with its outcome: the station makes it an audit event.
    using Audit = std::function<void(int bay, const std::string& action, const std::string& by, const Result<void>&)>;
    // True while the bay holds a recorder that is still charging (or not yet known).
    using Charging = std::function<bool(int bay)>;

    PortPower(boost::asio::io_context& io, UsbContext& usb, const std::vector<BayPort>& ports, PowerPolicy policy,
              Audit audit);

    // "on", "off" or "cycle" (off, pause, on). Answers once the hub confirmed
    // the first step with GET_STATUS.
    Result<void> power(int bay, const std::string& action, const std::string& by);
    // Start-up: switchable ports off, then on one per power_on_stagger while
    // fewer than max_concurrent_charging bays charge; the rest wait their turn.
    void start(Charging charging);
    void stop();
    bool queued(int bay) const;
    // A recorder arrived on the bay: true when it may charge now. Otherwise
    // (max_concurrent_charging others charge) its port is switched off and
    // queued; it is powered again when a charging slot frees up.
    bool admit(int bay);
    std::chrono::milliseconds cycle_pause{2000};
    // A port just powered counts as charging until its recorder had time to
    // enumerate (or not): the cap holds before the bay knows what it holds.
    std::chrono::milliseconds detect_settle{3000};

private:
    void next();
    void schedule_next();
    // Bays other than `except` charging now (or just powered and not yet known).
    int busy(int except) const;
    boost::asio::io_context& io_;
    UsbContext& usb_;
    PowerPolicy policy_;
    Audit audit_;
    Charging charging_;
    std::map<int, HubPort> ports_;
    std::deque<int> queue_;
    std::map<int, std::chrono::steady_clock::time_point> powered_;  // by the stagger: when
    boost::asio::steady_timer timer_;
    std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace dockd::drivers::usb
