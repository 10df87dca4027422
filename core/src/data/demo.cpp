#include "salient/data/demo.h"

#include "salient/util/atomicfile.h"
#include "salient/util/error.h"

#include <QDir>
#include <cmath>
#include <random>
#include <set>

namespace salient {

namespace {

// Deterministic across platforms: no std::*_distribution (their output is implementation-defined).
struct Rng {
    std::mt19937_64 eng;
    explicit Rng(quint64 seed) : eng(seed) {}
    double uniform() { return double(eng() >> 11) * (1.0 / 9007199254740992.0); }
    int below(int n) { return int(eng() % quint64(n)); }
    double normal()
    {
        const double u1 = std::max(uniform(), 1e-300), u2 = uniform();
        return std::sqrt(-2.0 * std::log(u1)) * std::cos(6.283185307179586 * u2);
    }
};

struct Word {
    const char *text;
    const char *pos;
};

// Small lexicon; suffixes chosen so that the suffix task has several classes.
const Word kDet[] = {{"the", "DT"}, {"a", "DT"}, {"every", "DT"}, {"this", "DT"}};
const Word kAdj[] = {{"famous", "JJ"},      {"careful", "JJ"}, {"active", "JJ"}, {"nervous", "JJ"},
                     {"hopeful", "JJ"},     {"massive", "JJ"}, {"big", "JJ"},    {"old", "JJ"},
                     {"comfortable", "JJ"}, {"visible", "JJ"}};
const Word kNoun[] = {{"nation", "NN"},     {"kindness", "NN"}, {"movement", "NN"},
                      {"teacher", "NN"},    {"station", "NN"},  {"darkness", "NN"},
                      {"payment", "NN"},    {"farmer", "NN"},   {"dog", "NN"},
                      {"city", "NN"},       {"reality", "NN"},  {"tourist", "NN"},
                      {"friendship", "NN"}, {"distance", "NN"}};
const Word kNouns[] = {{"nations", "NNS"}, {"teachers", "NNS"}, {"farmers", "NNS"},
                       {"dogs", "NNS"},    {"stations", "NNS"}, {"payments", "NNS"},
                       {"tourists", "NNS"}};
const Word kVerbPast[] = {{"walked", "VBD"}, {"painted", "VBD"}, {"visited", "VBD"},
                          {"helped", "VBD"}, {"saw", "VBD"},     {"found", "VBD"}};
const Word kVerbGer[] = {{"walking", "VBG"},
                         {"painting", "VBG"},
                         {"visiting", "VBG"},
                         {"helping", "VBG"},
                         {"singing", "VBG"}};
const Word kVerbPres[] = {
    {"walks", "VBZ"}, {"paints", "VBZ"}, {"visits", "VBZ"}, {"helps", "VBZ"}, {"sees", "VBZ"}};
const Word kAdv[] = {
    {"quickly", "RB"}, {"slowly", "RB"}, {"happily", "RB"}, {"often", "RB"}, {"carefully", "RB"}};
const Word kPrep[] = {{"in", "IN"}, {"near", "IN"}, {"with", "IN"}, {"after", "IN"}};
const Word kPunct[] = {{".", "."}};
const Word kAux[] = {{"is", "VBZ"}};

template <size_t N> const Word &pick(Rng &rng, const Word (&list)[N])
{
    return list[rng.below(int(N))];
}

void nounPhrase(Rng &rng, std::vector<Word> &out)
{
    out.push_back(pick(rng, kDet));
    const int adjs = rng.below(3) == 0 ? 1 + rng.below(2) : 0;
    for (int i = 0; i < adjs; ++i)
        out.push_back(pick(rng, kAdj));
    if (out.back().pos == std::string_view("DT") && std::string_view(out.back().text) == "a")
        out.push_back(pick(rng, kNoun));
    else
        out.push_back(rng.below(3) == 0 ? pick(rng, kNouns) : pick(rng, kNoun));
}

std::vector<Word> sentence(Rng &rng)
{
    std::vector<Word> s;
    nounPhrase(rng, s);
    if (rng.below(4) == 0)
        s.push_back(pick(rng, kAdv));
    const int kind = rng.below(3);
    if (kind == 0) {
        s.push_back(pick(rng, kVerbPast));
    } else if (kind == 1) {
        s.push_back(kAux[0]);
        s.push_back(pick(rng, kVerbGer));
    } else {
        s.push_back(pick(rng, kVerbPres));
    }
    if (rng.below(3) != 0)
        nounPhrase(rng, s);
    if (rng.below(2) == 0) {
        s.push_back(pick(rng, kPrep));
        nounPhrase(rng, s);
    }
    if (rng.below(4) == 0)
        s.push_back(pick(rng, kAdv));
    s.push_back(kPunct[0]);
    return s;
}

const char *const kSuffixes[] = {"ing",  "ed",   "ly",   "tion", "sion", "ment", "ness", "ity",
                                 "ous",  "ive",  "able", "ible", "ful",  "less", "al",   "ic",
                                 "er",   "est",  "es",   "ism",  "ist",  "ize",  "ise",  "ship",
                                 "ance", "ence", "ant",  "ent",  "ary",  "ory"};

} // namespace

QString suffixLabel(const QString &word)
{
    const QString lower = word.toLower();
    if (lower.size() < 5)
        return QStringLiteral("NONE");
    for (QChar c : lower)
        if (!c.isLetter())
            return QStringLiteral("NONE");
    QString best;
    for (const char *suf : kSuffixes) {
        const QString s = QString::fromLatin1(suf);
        if (lower.endsWith(s) && lower.size() - s.size() >= 2 && s.size() > best.size())
            best = s;
    }
    return best.isEmpty() ? QStringLiteral("NONE") : best;
}

const DemoSplit &DemoDataset::split(const QString &name) const
{
    if (name == QLatin1String("train"))
        return train;
    if (name == QLatin1String("dev"))
        return dev;
    if (name == QLatin1String("test"))
        return test;
    throw Error(QStringLiteral("demo: no split '%1' (expected train, dev or test)").arg(name));
}

DemoDataset makeDemoDataset(const DemoOptions &options)
{
    if (options.layers < 4 || options.dims < 16)
        throw Error(QStringLiteral("demo: need at least 4 layers and 16 dims (got %1 × %2)")
                        .arg(options.layers)
                        .arg(options.dims));
    DemoDataset demo;
    demo.options = options;
    Rng rng(options.seed);
    const int L = options.layers, D = options.dims;

    // Label inventories (fixed by the lexicon, sorted for a stable neuron assignment).
    std::set<QString> posSet, sufSet;
    auto collect = [&](const auto &list) {
        for (const Word &w : list) {
            posSet.insert(QString::fromLatin1(w.pos));
            const QString s = suffixLabel(QString::fromLatin1(w.text));
            if (s != QLatin1String("NONE"))
                sufSet.insert(s);
        }
    };
    collect(kDet);
    collect(kAdj);
    collect(kNoun);
    collect(kNouns);
    collect(kVerbPast);
    collect(kVerbGer);
    collect(kVerbPres);
    collect(kAdv);
    collect(kPrep);
    collect(kPunct);
    collect(kAux);

    // Planting: suffix neurons in layer 1 (weaker echo in layer 0), POS neurons in layer L-2
    // (weaker echo in L-3). Dims are spread so that they do not collide.
    std::map<QString, int> sufDim, posDim;
    int d = 1;
    for (const QString &s : sufSet) {
        sufDim[s] = d;
        demo.planted.push_back({QStringLiteral("suffix"), s, 1, d, true});
        demo.planted.push_back({QStringLiteral("suffix"), s, 0, d, false});
        d = (d + 3) % D;
    }
    d = 2;
    for (const QString &p : posSet) {
        posDim[p] = d;
        demo.planted.push_back({QStringLiteral("pos"), p, L - 2, d, true});
        demo.planted.push_back({QStringLiteral("pos"), p, L - 3, d, false});
        d = (d + 3) % D;
    }

    // Word-type vectors: every type has its own random "embedding" per layer.
    std::map<QString, RowMatrixF> typeVec;
    auto typeVector = [&](const QString &w) -> const RowMatrixF & {
        auto it = typeVec.find(w);
        if (it == typeVec.end()) {
            RowMatrixF v(1, L * D);
            for (Index k = 0; k < v.cols(); ++k)
                v(0, k) = float(0.5 * rng.normal());
            it = typeVec.emplace(w, std::move(v)).first;
        }
        return it->second;
    };

    auto makeSplit = [&](DemoSplit &split, int count) {
        std::vector<RowMatrixF> sentences;
        QStringList keys;
        split.tokens.path = QStringLiteral("<demo>/words");
        split.pos.path = QStringLiteral("<demo>/pos");
        split.suffix.path = QStringLiteral("<demo>/suffix");
        for (int i = 0; i < count; ++i) {
            const std::vector<Word> words = sentence(rng);
            QStringList toks, tags, sufs;
            RowMatrixF acts(Index(words.size()), L * D);
            for (size_t w = 0; w < words.size(); ++w) {
                const QString text = QString::fromLatin1(words[w].text);
                const QString pos = QString::fromLatin1(words[w].pos);
                const QString suf = suffixLabel(text);
                toks << text;
                tags << pos;
                sufs << suf;
                const RowMatrixF &tv = typeVector(text);
                for (int l = 0; l < L; ++l) {
                    // Layer noise grows with depth (contextual mixing); scale grows too, as in
                    // real models.
                    const double scale = 0.4 + 0.25 * l;
                    for (int k = 0; k < D; ++k)
                        acts(Index(w), l * D + k) =
                            float(scale * (0.5 * tv(0, l * D + k) + rng.normal()));
                }
                // Planted neurons are clean, selective units: low noise, firing for one label.
                for (const PlantedNeuron &pn : demo.planted)
                    if (pn.primary)
                        acts(Index(w), pn.flat(D)) = float(0.3 * rng.normal());
                if (suf != QLatin1String("NONE")) {
                    const int sd = sufDim[suf];
                    acts(Index(w), 1 * D + sd) += 2.5f;
                    acts(Index(w), 0 * D + sd) += float(1.0 + 0.3 * rng.normal());
                }
                const int pd = posDim[pos];
                acts(Index(w), (L - 2) * D + pd) += 3.0f;
                acts(Index(w), (L - 3) * D + pd) += float(1.2 + 0.3 * rng.normal());
            }
            split.tokens.lines.push_back(toks);
            split.pos.lines.push_back(tags);
            split.suffix.lines.push_back(sufs);
            keys << toks.join(QLatin1Char(' '));
            sentences.push_back(std::move(acts));
        }
        split.store = std::make_unique<MemoryStore>(L, D, std::move(sentences), keys);
    };
    makeSplit(demo.train, options.trainSentences);
    makeSplit(demo.dev, options.devSentences);
    makeSplit(demo.test, options.testSentences);

    demo.description =
        QStringLiteral("SYNTHETIC demo dataset (generated, not a real model): %1/%2/%3 sentences "
                       "from a small English-like grammar; %4 layers × %5 neurons (layer 0 = "
                       "\"embeddings\"). Planted neurons: one per suffix class in layer 1 (echo in "
                       "layer 0), one per POS tag in layer %6 (echo in layer %7). Seed %8.")
            .arg(options.trainSentences)
            .arg(options.devSentences)
            .arg(options.testSentences)
            .arg(L)
            .arg(D)
            .arg(L - 2)
            .arg(L - 3)
            .arg(options.seed);
    return demo;
}

void writeDemoFiles(const DemoDataset &demo, const QString &dir)
{
    if (!QDir().mkpath(dir))
        throw Error(QStringLiteral("%1: cannot create folder").arg(dir));
    auto writeText = [&](const QString &path, const TextColumns &cols) {
        QByteArray bytes;
        for (const QStringList &line : cols.lines)
            bytes += line.join(QLatin1Char(' ')).toUtf8() + '\n';
        writeFileAtomic(path, bytes);
    };
    for (const QString &name :
         {QStringLiteral("train"), QStringLiteral("dev"), QStringLiteral("test")}) {
        const DemoSplit &s = demo.split(name);
        const QString base = dir + QStringLiteral("/demo.") + name;
        std::vector<RowMatrixF> sentences;
        for (Index i = 0; i < s.store->info().sentences; ++i)
            sentences.push_back(s.store->sentence(i));
        writeNeuroxHdf5(base + QStringLiteral(".hdf5"), demo.options.layers, demo.options.dims,
                        sentences, s.store->info().keys);
        writeText(base + QStringLiteral(".words.txt"), s.tokens);
        writeText(base + QStringLiteral(".pos.txt"), s.pos);
        writeText(base + QStringLiteral(".suffix.txt"), s.suffix);
    }
    writeFileAtomic(dir + QStringLiteral("/README.txt"), demo.description.toUtf8() + '\n');
}

} // namespace salient
