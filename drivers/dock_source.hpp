// The arrival seam (DESIGN §6): a DockSource tells the station when a recorder
// arrives in or leaves a bay. Two backends: usb (libusb hotplug) and sim
// (directories under bays_dir).
#pragma once

#include <functional>
#include <memory>

#include "drivers/recorder.hpp"

namespace dockd::drivers {

// Callbacks run on the io_context given to the source's constructor.
class DockSource {
public:
    struct Callbacks {
        std::function<void(int bay, std::shared_ptr<Recorder>)> arrived;
        std::function<void(int bay)> left;
    };

    virtual ~DockSource() = default;
    // Reports recorders already present at start as arrivals, then watches.
    virtual void start(Callbacks cb) = 0;
    virtual void stop() = 0;
};

}  // namespace dockd::drivers
