// WordPiece (MODELS.md §4.2): greedy longest-match-first; a piece that cannot be covered, or is
// longer than max_input_chars_per_word code points, becomes one unknown token.
#include "tokenizer_p.h"

#include <algorithm>

namespace salient::model::detail {
namespace {

class WordPiece : public Model {
public:
    explicit WordPiece(WordPieceConfig c) : m_c(std::move(c))
    {
        // No candidate longer than the longest vocabulary entry can match (UTF-16 length bounds
        // the code-point length).
        for (auto it = m_c.vocab.cbegin(); it != m_c.vocab.cend(); ++it)
            m_maxTokenChars = std::max(m_maxTokenChars, size_t(it.key().size()));
    }

    void tokenize(const U32 &piece, std::vector<int> &out) const override
    {
        if (piece.empty())
            return;
        if (piece.size() > size_t(m_c.maxInputChars)) {
            out.push_back(m_c.unkId);
            return;
        }
        const size_t before = out.size();
        size_t start = 0;
        QString candidate;
        while (start < piece.size()) {
            int found = -1;
            size_t end = std::min(piece.size(), start + m_maxTokenChars);
            for (; end > start; --end) {
                candidate.clear();
                if (start > 0)
                    candidate += m_c.prefix;
                candidate += fromU32(piece.data() + start, piece.data() + end);
                const auto it = m_c.vocab.constFind(candidate);
                if (it != m_c.vocab.cend()) {
                    found = it.value();
                    break;
                }
            }
            if (found < 0) {
                out.resize(before);
                out.push_back(m_c.unkId);
                return;
            }
            out.push_back(found);
            start = end;
        }
    }

private:
    WordPieceConfig m_c;
    size_t m_maxTokenChars = 0;
};

} // namespace

std::unique_ptr<Model> makeWordPiece(WordPieceConfig c)
{
    return std::make_unique<WordPiece>(std::move(c));
}

} // namespace salient::model::detail
