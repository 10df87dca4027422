// libFuzzer target: session loader (core/src/session/session.cpp loadSession). Input layout:
// session JSON [\0 sibling arrays HDF5]. The HDF5 part, when present, is written as
// "arrays.h5" beside the session (the seeds name it in "arrays": {"file": "arrays.h5"}).
#include "fuzz_common.h"
#include "salient/session/session.h"
#include "salient/util/error.h"

#include <cstring>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace salient;
    const auto *sep = static_cast<const std::uint8_t *>(std::memchr(data, 0, size));
    const std::size_t jsonSize = sep ? std::size_t(sep - data) : size;
    const QString path = fuzz::writeFile("session.json", data, jsonSize);
    if (sep)
        fuzz::writeFile("arrays.h5", sep + 1, size - jsonSize - 1);
    else
        fuzz::removeFile("arrays.h5");
    try {
        SessionCheck check;
        const Session s = loadSession(path, &check);
        if (!s.demo && !s.splits.empty()) {
            try {
                (void)s.taskInputs();
            } catch (const Error &) {
            }
        }
    } catch (const Error &) {
    }
    return 0;
}
