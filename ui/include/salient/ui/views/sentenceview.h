#pragma once
// "Try a sentence" (docs/live.md): type or paste a sentence and see the attached model's neurons
// fire on it — tokens coloured by the selected neuron (the per-word view's colours and legend), a
// strip of the probe's top-k salient neurons × words, the probe's prediction and probability
// under each word and the gold label when the sentence is in the loaded corpus; plus the top
// activating contexts of the selected neuron in a raw text file. Everything is computed by core
// (model/livesentence.h, model/topcontexts.h) in jobs; this view only shows the results.
#include "salient/model/livesentence.h"
#include "salient/model/topcontexts.h"
#include "salient/ui/views/wordactivationview.h"

#include <QWidget>
#include <memory>

class QComboBox;
class QLabel;
class QLineEdit;
class QPushButton;
class QSpinBox;
class QTimer;

namespace salient::ui {

class JobRunner;
class SessionController;

/**
 * Rows = neurons, columns = words; each cell coloured by the neuron's activation on the word with
 * WordActivationView::activationColour (limit: max |a| over the strip). Clicking a row emits
 * columnClicked. GUI thread only.
 */
class LiveStrip : public QWidget {
    Q_OBJECT
public:
    explicit LiveStrip(QWidget *parent = nullptr);
    /// @p values: rows × words; @p rowNames one per row, @p columns their loaded-matrix columns.
    void setData(const QStringList &rowNames, const std::vector<int> &columns,
                 const QStringList &words, RowMatrixF values);
    int rows() const { return int(m_rowNames.size()); }
    /// What the strip says while it has no rows or words (the next step for the user).
    void setEmptyText(const QString &text);
    QString emptyText() const { return m_emptyText; }
    /// The colour of cell (@p row, @p word) as painted; invalid when none is drawn.
    QColor cellColour(int row, int word) const;
    /// The colour scheme (the per-word view's; default NeuroX).
    void setColourScheme(WordActivationView::ColourScheme scheme);
    /// The row at @p pos (widget coordinates), −1 when none.
    int rowAt(const QPoint &pos) const;
    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    void columnClicked(int column);

protected:
    void paintEvent(QPaintEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;

private:
    QStringList m_rowNames, m_words;
    QString m_emptyText;
    std::vector<int> m_columns;
    RowMatrixF m_values;
    double m_limit = 0;
    WordActivationView::ColourScheme m_scheme = WordActivationView::ColourScheme::NeuroX;
};

/**
 * The live view. Follows the controller: the attached model (modelAttached), the loaded data, the
 * probe (resultChanged) and the selected neuron (neuronSelected, which only recolours).
 *
 * Updates as the user types: each edit restarts a debounce timer (150 ms by default); when it
 * fires, the sentence is computed in a job on the runner's Interactive lane. Every request
 * increments a generation counter; a result whose generation is not the latest is dropped (never
 * shown), and a still-queued older request is cancelled. Errors (e.g. a sentence longer than the
 * model accepts) are shown in the view's status line, not as dialogs.
 *
 * Thread: GUI only. The controller and the runner must outlive the view.
 */
class SentenceView : public QWidget {
    Q_OBJECT
public:
    SentenceView(SessionController *controller, JobRunner *jobs, QWidget *parent = nullptr);
    ~SentenceView() override;

    QLineEdit *input() const { return m_input; }
    /// 0: words split on spaces (like the corpus), 1: raw text split by the model's tokenizer.
    QComboBox *modeChooser() const { return m_mode; }
    QSpinBox *topK() const { return m_topK; }
    WordActivationView *words() const { return m_words; }
    LiveStrip *strip() const { return m_strip; }
    WordActivationView *contextsView() const { return m_contexts; }
    QLabel *status() const { return m_status; }

    /// The shown result (null before the first one).
    const model::LiveResult *result() const { return m_result.get(); }
    /// The shown top contexts (null before a run).
    const model::TopContextsResult *topContexts() const { return m_top.get(); }
    quint64 generation() const { return m_generation; }
    /// Results dropped because a newer request was made meanwhile (cancelled ones included).
    int staleDropped() const { return m_stale; }
    /// Results shown.
    int computedCount() const { return m_computed; }
    /// True from a request until its result (or error) is shown.
    bool pending() const { return m_pending; }
    /// Colours of the sentence, the strip and the contexts (the main window mirrors the
    /// per-word view's choice here).
    void setColourScheme(WordActivationView::ColourScheme scheme);
    void setDebounceMs(int ms);
    int debounceMs() const;

    /// Requests the current text now (no debounce); returns the job id (−1 without a model).
    int refreshNow();
    /**
     * Top activating contexts of the selected neuron in @p textPath (a Compute-lane job with
     * progress and cancel); shown in contextsView(). Returns the job id, −1 (and the reason in
     * the status line) without a model or a selected neuron.
     */
    int runTopContexts(const QString &textPath, int top = 10);

Q_SIGNALS:
    /// A live result is shown (after result() changed).
    void resultShown();
    /// A request failed; @p message is shown in the status line.
    void failed(const QString &message);
    /// Top contexts are shown.
    void contextsShown();

private:
    void schedule();
    void rebuildEngine();
    void render();
    void chooseTextFile();

    SessionController *m_controller;
    JobRunner *m_jobs;
    QLineEdit *m_input = nullptr;
    QComboBox *m_mode = nullptr;
    QSpinBox *m_topK = nullptr;
    QLabel *m_status = nullptr;
    QLabel *m_modeNote = nullptr;
    WordActivationView *m_words = nullptr;
    LiveStrip *m_strip = nullptr;
    WordActivationView *m_contexts = nullptr;
    QLabel *m_contextsStatus = nullptr;
    QPushButton *m_contextsButton = nullptr;
    QTimer *m_debounce = nullptr;

    std::shared_ptr<const model::LiveEngine> m_engine;
    std::shared_ptr<const model::LiveResult> m_result;
    std::shared_ptr<const model::TopContextsResult> m_top;
    quint64 m_generation = 0;
    int m_job = -1;
    int m_stale = 0;
    int m_computed = 0;
    bool m_pending = false;
};

} // namespace salient::ui
