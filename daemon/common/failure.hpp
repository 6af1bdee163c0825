// One failure taxonomy: how a failed operation must be treated, carried on
// the Error itself (Error::failure) from where it is known (a target that
// read the store's answer, a file system's errno) to whoever acts on it: the
// uploader's retry policy, the upload row's reason class, the metrics'
// reason label, the API's upload view.
#pragma once

namespace dockd {

// unclassified: nobody said; the uploader treats it as transient.
// transient: retry with backoff. credentials, no_bucket: the target refuses
// everything; pause it until retry.max. conflict: the key holds other bytes,
// never overwritten. permanent: this request cannot succeed as it is.
enum class Failure { unclassified, transient, credentials, no_bucket, conflict, permanent };

inline const char* to_string(Failure f) {
    switch (f) {
        case Failure::transient:
            return "transient";
        case Failure::credentials:
            return "credentials";
        case Failure::no_bucket:
            return "no_bucket";
        case Failure::conflict:
            return "conflict";
        case Failure::permanent:
            return "permanent";
        case Failure::unclassified:
            break;
    }
    return "unclassified";
}

}  // namespace dockd
