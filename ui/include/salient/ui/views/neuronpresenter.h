#pragma once
// Keeps the neuron inspector and the per-word view on the controller's selected neuron.
#include <QObject>

namespace salient::ui {

class JobRunner;
class NeuronInspector;
class SessionController;
class WordActivationView;

/**
 * On every selection (SessionController::neuronSelected) computes the neuron's profile (a pass
 * over every token), its summary in the probe (core's neuronSummary) and the per-word data in a
 * job on the runner's Interactive lane, and shows them; the inspector keeps the previous neuron
 * with a busy hint meanwhile. A result whose selection or data are no longer current is dropped.
 * New data clear both views. GUI thread only; the views and the runner must outlive it.
 */
class NeuronPresenter : public QObject {
    Q_OBJECT
public:
    NeuronPresenter(SessionController *controller, JobRunner *jobs, NeuronInspector *inspector,
                    WordActivationView *words, QObject *parent = nullptr);

    /// True while the profile of the current selection is being computed.
    bool pending() const { return m_pending; }
    /// Profile results dropped because the selection or the data had moved on (for tests).
    int staleDiscarded() const { return m_stale; }
    /// Top words leave out word types seen fewer than @p count times (core's
    /// TopWordsOptions::minCount, >= 1; default 3); recomputes the shown neuron's profile.
    void setMinWordCount(int count);
    int minWordCount() const { return m_minWordCount; }

Q_SIGNALS:
    /// The inspector and the word view now show column @p column.
    void profileReady(int column);
    void failed(const QString &message);

private:
    void show(int column);
    /// What the word view says without a neuron: load data, train a probe or select a neuron.
    QString emptyWordsText() const;

    SessionController *m_controller;
    JobRunner *m_jobs;
    NeuronInspector *m_inspector;
    WordActivationView *m_words;
    quint64 m_request = 0; ///< incremented per selection; older results are stale
    bool m_pending = false;
    int m_stale = 0;
    int m_minWordCount = 3;
};

} // namespace salient::ui
