// libFuzzer target: the Hugging Face tokenizer.json parser (core/src/model/hftokenizer.cpp
// parseHfTokenizerJson: model, added tokens, normalizers, pre-tokenizers, post-processors,
// tokenizer_config.json / special_tokens_map.json) and encoding with the parsed tokenizer.
// Input layout: tokenizer.json [\0 tokenizer_config.json [\0 special_tokens_map.json
// [\0 model_type]]]. Every id encode() returns must be in [0, vocabSize()).
#include "fuzz_common.h"
#include "salient/model/tokenizer.h"
#include "salient/util/error.h"

#include <cstring>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t *data, std::size_t size)
{
    using namespace salient;
    (void)fuzz::scratchDir(); // installs the quiet message handler
    std::vector<QByteArray> parts;
    const char *p = reinterpret_cast<const char *>(data);
    const char *end = p + size;
    while (parts.size() < 3) {
        const char *sep = static_cast<const char *>(std::memchr(p, 0, std::size_t(end - p)));
        if (!sep)
            break;
        parts.emplace_back(p, sep - p);
        p = sep + 1;
    }
    parts.emplace_back(p, end - p);
    parts.resize(4);
    std::unique_ptr<model::Tokenizer> tok;
    try {
        tok = model::parseHfTokenizerJson(parts[0], parts[1], parts[2],
                                          QString::fromUtf8(parts[3].left(32)),
                                          QStringLiteral("tokenizer.json"));
    } catch (const Error &) {
        return 0;
    }
    static const char *const texts[] = {
        "The caf\xc3\xa9 served a na\xc3\xafve cr\xc3\xa8me br\xc3\xbbl\xc3\xa9\x65 .",
        "Prices rose 3.5 % to $ 12,345.67 in 1989 .",
        "Tokyo \xe6\x9d\xb1\xe4\xba\xac is big . I \xe2\x99\xa5 NY",
        "before \xe2\x80\x8b after . Great \xf0\x9f\x91\x8d job , Zo\xc3\xab !",
        "  leading and trailing spaces\t\n\r  ",
        "[CLS] <s> </s> <|endoftext|> [UNK] <unk> [MASK] <mask> a's we'll I'd",
        "",
        "a",
    };
    const int vocab = tok->vocabSize();
    auto check = [&](const std::vector<int> &ids) {
        for (int id : ids)
            if (id < 0 || id >= vocab)
                std::abort(); // an id outside the vocabulary is a bug
        (void)tok->decode(ids);
        for (int id : ids)
            (void)tok->idToToken(id);
    };
    for (const char *t : texts) {
        const QString text = QString::fromUtf8(t);
        check(tok->encode(text, true));
        check(tok->encode(text, false));
    }
    // The input's own text as a sentence (bounded).
    check(tok->encode(QString::fromUtf8(parts[0].left(512)), true));
    (void)tok->describe();
    for (int id : tok->droppedSpecialIds())
        if (id < 0 || id >= vocab)
            std::abort();
    return 0;
}
