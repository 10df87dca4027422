#pragma once
// View 7 (DESIGN.md §4): everything known about one neuron. All numbers come from core (its
// NeuronProfile, the probe weights and the rankings); this widget only formats them.
#include <QStringList>
#include <QVector>
#include <QWidget>
#include <vector>

#include "salient/analyses/corpusanalysis.h"

class QLabel;
class QListWidget;
class QListWidgetItem;
class QTableWidget;

namespace salient {
struct Probe;
}

namespace salient::ui {

/// Identity, ranks and weights of a neuron, as computed elsewhere. Ranks are 1-based
/// (1 = most salient); 0 means unknown. Vectors indexed by class are aligned with classNames
/// (an empty vector = not available).
struct NeuronInfo {
    int layer = -1;        ///< original layer index (−1 = unknown)
    int indexInLayer = -1; ///< neuron within its layer (−1 = unknown)
    int flatIndex = -1;    ///< flat index in the activation file
    int column = -1;       ///< dataset column
    int neuronCount = 0;   ///< neurons ranked (for "rank r of N"; 0 = unknown)
    int globalRank = 0;    ///< overall rank
    QStringList classNames;
    std::vector<double> weights; ///< probe weight W[c][neuron] per class
    std::vector<int> labelRanks; ///< per-class rank
};

/**
 * Fills identity and weights of dataset column @p column: layer = ds.layerIds[column / dims],
 * index = column % dims, flat index by salient::flatNeuron, and, when @p probe is non-null, the
 * probe's weight column whose Probe::columns entry equals the flat index (or the column itself
 * when Probe::columns is empty) with the probe's class names. Ranks are left unknown for the
 * caller to set. No throwing: out-of-range inputs leave fields unknown. Any thread.
 */
NeuronInfo neuronInfoFor(const Dataset &ds, int column, const Probe *probe = nullptr);

/**
 * The neuron inspector: a summary (layer, index, flat index, ranks, activation statistics),
 * a sortable per-class table (weight, |weight|, rank, tokens, mean and std of the activation),
 * the top-words table (word, score, signed mean activation, count) and the top sentences.
 * Thread: GUI only.
 */
class NeuronInspector : public QWidget {
    Q_OBJECT
public:
    explicit NeuronInspector(QWidget *parent = nullptr);
    ~NeuronInspector() override;

    /// Shows @p info and @p profile (copied). Classes are the union of info.classNames and the
    /// profile's label names, in info.classNames order first.
    void setNeuron(const NeuronInfo &info, const NeuronProfile &profile);
    /// Shows nothing ("no neuron selected").
    void clear();
    /// Shows (or hides) the busy hint "Computing the neuron's profile…" while a profile job
    /// runs; the previous neuron stays visible meanwhile.
    void setBusy(bool busy);
    bool isBusy() const;

    const NeuronInfo &info() const { return m_info; }
    const NeuronProfile &profile() const { return m_profile; }

    /// The tables, for tests and for the main window's CSV/JSON export.
    QTableWidget *classTable() const { return m_classes; }
    QTableWidget *topWordsTable() const { return m_words; }
    QListWidget *sentenceList() const { return m_sentences; }
    /// The summary text as shown (plain text).
    QString summaryText() const;

    QSize sizeHint() const override;

Q_SIGNALS:
    /// A top sentence was activated (double click or Enter): its record index.
    void sentenceActivated(qint64 record);
    /// A top word was activated: the word, e.g. to search for it in the word view.
    void wordActivated(const QString &word);

private:
    void fillSummary();
    void fillClasses();
    void fillWords();
    void fillSentences();
    void onSentenceActivated(QListWidgetItem *item);

    NeuronInfo m_info;
    NeuronProfile m_profile;
    bool m_hasNeuron = false;
    QLabel *m_title = nullptr;
    QLabel *m_busy = nullptr;
    QLabel *m_summary = nullptr;
    QTableWidget *m_classes = nullptr;
    QTableWidget *m_words = nullptr;
    QListWidget *m_sentences = nullptr;
};

} // namespace salient::ui
