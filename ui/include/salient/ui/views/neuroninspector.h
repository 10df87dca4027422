#pragma once
// View 7 (DESIGN.md §4): everything known about one neuron. All numbers come from core (its
// NeuronProfile, the probe weights and the rankings); this widget only formats them.
#include <QStringList>
#include <QVector>
#include <QWidget>
#include <vector>

#include "salient/analyses/corpusanalysis.h"
#include "salient/session/notes.h"
#include "salient/session/results.h"

class QLabel;
class QListWidget;
class QListWidgetItem;
class QModelIndex;
class QPushButton;
class QSortFilterProxyModel;
class QSpinBox;
class QTableView;
class QTabWidget;

namespace salient::ui {

class NeuronClassModel;
class TopWordsModel;

/**
 * The neuron inspector: a summary (layer, index, flat index, ranks, activation statistics),
 * a sortable per-class table (weight, |weight|, rank, tokens, mean and std of the activation),
 * the top-words table (word, score, signed mean activation, count; word types seen fewer than
 * the "min count" spin box's value are left out by core), the most positive and most negative
 * sentences (two tabs), and the neuron's note (label, tags, source, text) with Add/Edit/Remove.
 * The tables are QTableViews over item models of core's structs (NeuronClassModel,
 * TopWordsModel) behind sorting proxies; they open in core's order. Thread: GUI only.
 */
class NeuronInspector : public QWidget {
    Q_OBJECT
public:
    explicit NeuronInspector(QWidget *parent = nullptr);
    ~NeuronInspector() override;

    /**
     * Shows @p summary (core's identity, overall rank and per-class weights of the neuron in the
     * probe; summary.column < 0 = no probe) and @p profile (activation statistics, top words and
     * sentences). Class rows: the probe's classes by |W| descending (core's order), then labels
     * known only from the profile.
     */
    void setNeuron(const NeuronSummary &summary, const NeuronProfile &profile);
    /// Shows nothing ("no neuron selected").
    void clear();
    /// Shows (or hides) the busy hint "Computing the neuron's profile…" while a profile job
    /// runs; the previous neuron stays visible meanwhile.
    void setBusy(bool busy);
    bool isBusy() const;

    const NeuronSummary &summary() const { return m_info; }
    const NeuronProfile &profile() const { return m_profile; }

    /// The tables as shown (their model is the sorting proxy over classModel()/topWordsModel()).
    QTableView *classTable() const { return m_classes; }
    QTableView *topWordsTable() const { return m_words; }
    /// The models in core's order: what the report exports (toCsv/toJson).
    const NeuronClassModel *classModel() const { return m_classModel; }
    const TopWordsModel *topWordsModel() const { return m_wordsModel; }
    QListWidget *sentenceList() const { return m_sentences; }
    /// The most negative sentences (core's SentenceScore::Min order).
    QListWidget *negativeSentenceList() const { return m_negative; }
    /// Minimum count of a top word type (1..100000, default 3); changing it emits
    /// minWordCountChanged (the presenter recomputes the profile).
    QSpinBox *minWordCountSpin() const { return m_minCount; }

    /// Shows @p note on the shown neuron (null = none: the button offers "Add note…").
    void setNote(const NeuronNote *note);
    /// The note line as shown (plain text; "" when none).
    QString noteText() const;
    QPushButton *noteButton() const { return m_noteButton; }
    QPushButton *removeNoteButton() const { return m_noteRemove; }
    /// The summary text as shown (plain text).
    QString summaryText() const;

    QSize sizeHint() const override;

Q_SIGNALS:
    /// A top sentence was activated (double click or Enter): its record index.
    void sentenceActivated(qint64 record);
    /// A top word was activated: the word, e.g. to search for it in the word view.
    void wordActivated(const QString &word);
    /// The minimum count of a top word type changed.
    void minWordCountChanged(int count);
    /// "Add note…"/"Edit note…" was clicked for the shown neuron.
    void noteEditRequested();
    /// "Remove note" was clicked for the shown neuron.
    void noteRemoveRequested();

private:
    void fillSummary();
    void fillSentences();
    void fillSentenceList(QListWidget *list, const std::vector<SentenceActivation> &sentences);
    void onSentenceActivated(QListWidgetItem *item);

    NeuronSummary m_info;
    NeuronProfile m_profile;
    bool m_hasNeuron = false;
    QLabel *m_title = nullptr;
    QLabel *m_busy = nullptr;
    QLabel *m_summary = nullptr;
    NeuronClassModel *m_classModel = nullptr;
    TopWordsModel *m_wordsModel = nullptr;
    QSortFilterProxyModel *m_classProxy = nullptr;
    QSortFilterProxyModel *m_wordsProxy = nullptr;
    QTableView *m_classes = nullptr;
    QTableView *m_words = nullptr;
    QListWidget *m_sentences = nullptr;
    QListWidget *m_negative = nullptr;
    QTabWidget *m_sentenceTabs = nullptr;
    QSpinBox *m_minCount = nullptr;
    QLabel *m_note = nullptr;
    QPushButton *m_noteButton = nullptr;
    QPushButton *m_noteRemove = nullptr;
    bool m_hasNote = false;
};

} // namespace salient::ui
