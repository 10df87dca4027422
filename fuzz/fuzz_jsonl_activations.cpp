// libFuzzer target: NeuroX JSON-lines activation reader (core/src/io/jsonlstore.cpp).
#include "fuzz_store_common.h"
#include "io/hdf5store_p.h"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace salient;
    const QString path = fuzz::writeFile("input.jsonl", data, size);
    try {
        const std::unique_ptr<ActivationStore> store = detail::openJsonLinesStore(path, {});
        fuzz::readAll(*store);
    } catch (const Error &) {
    }
    // The same bytes as sentence_to_index JSON (HDF5 files carry it as a string attribute).
    try {
        (void)parseSentenceToIndex(
            QByteArray::fromRawData(reinterpret_cast<const char *>(data), qsizetype(size)), path);
    } catch (const Error &) {
    }
    return 0;
}
