#pragma once
// The built-in demo dataset: SYNTHETIC sentences from a small grammar with POS and suffix labels,
// and activations of a made-up 6-layer model with planted neurons placed as the paper describes
// (suffix information in low layers, syntax higher). Deterministic for a given seed. Used by the
// GUI's first start, `salient-cli --demo`, and as planted ground truth by the tests.
#include "salient/data/corpus.h"
#include "salient/io/activationstore.h"

namespace salient {

struct DemoOptions {
    quint64 seed = 7;
    int trainSentences = 800;
    int devSentences = 200;
    int testSentences = 200;
    int layers = 6; ///< layer 0 = "embeddings"
    int dims = 32;
};

/// A planted neuron: flat index, and the label (of task "pos" or "suffix") it fires for.
struct PlantedNeuron {
    QString task;
    QString label;
    int layer = 0;
    int dim = 0;
    bool primary = true; ///< false for the weaker "echo" in the neighbouring layer
    int flat(int dims) const { return layer * dims + dim; }
};

struct DemoSplit {
    std::unique_ptr<MemoryStore> store;
    TextColumns tokens, pos, suffix;
};

struct DemoDataset {
    DemoOptions options;
    DemoSplit train, dev, test;
    std::vector<PlantedNeuron> planted;
    /// One paragraph for the GUI/CLI saying that the data is synthetic and what is planted where.
    QString description;
    const DemoSplit &split(const QString &name) const;
};

DemoDataset makeDemoDataset(const DemoOptions &options = {});

/// Writes the demo as NeuroX files into @p dir: demo.{train,dev,test}.hdf5, .words.txt,
/// .pos.txt, .suffix.txt. Throws salient::Error if the folder is not writable.
void writeDemoFiles(const DemoDataset &demo, const QString &dir);

/// The suffix rule of ../shared/data (longest listed suffix; word ≥ 5 chars, alphabetic,
/// ≥ 2 chars before the suffix; else "NONE").
QString suffixLabel(const QString &word);

} // namespace salient
