// Issue 12, offscreen: item 8 (neuron notes: the inspector's note row and the Notes view follow a
// note added through the GUI; the heatmap tooltip names it; double-click selects the neuron; the
// report writes notes.csv/notes.json; the session keeps them) and item 3 (the inspector's
// per-class table by |W|, top words with a minimum count, most negative sentences in the
// inspector and the word view) on the demo's planted neurons.
#include "salient/data/demo.h"
#include "salient/session/session.h"
#include "salient/ui/controller/sessioncontroller.h"
#include "salient/ui/mainwindow.h"
#include "salient/ui/models/notesmodel.h"
#include "salient/ui/models/tablevalues.h"
#include "salient/ui/plotting/salienceheatmapcanvas.h"
#include "salient/ui/views/neuroninspector.h"
#include "salient/ui/views/notesview.h"
#include "salient/ui/views/wordactivationview.h"

#include <QComboBox>
#include <QHeaderView>
#include <QJsonArray>
#include <QJsonDocument>
#include <QLabel>
#include <QLineEdit>
#include <QListWidget>
#include <QPlainTextEdit>
#include <QPushButton>
#include <QSignalSpy>
#include <QSpinBox>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QtTest>

#include <algorithm>
#include <cmath>

using namespace salient;
using namespace salient::ui;

namespace {

void trainDemo(MainWindow &w)
{
    w.setInteractive(false);
    QVERIFY(w.loadDemo() >= 0);
    QVERIFY(w.waitForJobs(120000));
    QVERIFY(w.task() != nullptr);
    QVERIFY(w.runAnalysisJob(QStringLiteral("probe")) >= 0);
    QVERIFY(w.waitForJobs(300000));
    QVERIFY(w.probe() != nullptr);
    QTRY_VERIFY_WITH_TIMEOUT(!w.profilePending(), 60000);
}

/// Selects @p column and waits for its profile.
void selectAndWait(MainWindow &w, int column)
{
    if (w.selectedColumn() != column) {
        QSignalSpy ready(&w, &MainWindow::neuronProfileReady);
        w.selectColumn(column);
        QTRY_VERIFY2_WITH_TIMEOUT(!ready.isEmpty() && !w.profilePending(),
                                  qPrintable(w.lastError()), 60000);
    }
    QTRY_VERIFY_WITH_TIMEOUT(!w.profilePending(), 60000);
    QCOMPARE(w.inspector()->summary().column, column);
}

/// The primary planted POS neuron of @p label in the demo, as a column of @p w's data.
int plantedColumn(const MainWindow &w, const QString &label)
{
    const DemoDataset demo = makeDemoDataset();
    for (const PlantedNeuron &p : demo.planted)
        if (p.task == QLatin1String("pos") && p.label == label && p.primary)
            return w.controller()->layout().column({p.layer, p.dim});
    return -1;
}

} // namespace

class TestNotes : public QObject {
    Q_OBJECT
    QTemporaryDir m_dir;

private Q_SLOTS:
    void initTestCase()
    {
        QCoreApplication::setOrganizationName(QStringLiteral("SalientTest"));
        QStandardPaths::setTestModeEnabled(true);
        QVERIFY(m_dir.isValid());
    }

    // Item 8: a note added through the inspector's button and the note dialog shows in the
    // inspector, the Notes view (searchable, by tag) and the heatmap tooltip; double-click in
    // the Notes view selects its neuron; the report and the saved session carry it.
    void addNoteThroughTheGui()
    {
        MainWindow w;
        trainDemo(w);
        const int a = plantedColumn(w, QStringLiteral("VBZ"));
        const int b = plantedColumn(w, QStringLiteral("DT"));
        QVERIFY(a >= 0 && b >= 0);
        selectAndWait(w, a);
        NeuronInspector *inspector = w.inspector();
        QVERIFY(inspector->noteText().isEmpty());
        // The note's line takes room only when there is a note.
        const auto *noteLine = inspector->findChild<QLabel *>(QStringLiteral("inspectorNote"));
        QVERIFY(noteLine);
        QVERIFY(!noteLine->isVisibleTo(inspector));
        QVERIFY(inspector->noteButton()->isEnabled());
        QCOMPARE(inspector->noteButton()->text(), QStringLiteral("Add note\u2026"));
        QVERIFY(w.notesView()->emptyHint()->isVisibleTo(w.notesView()));

        inspector->noteButton()->click();
        NoteDialog *dialog = w.pendingNoteDialog();
        QVERIFY(dialog);
        dialog->labelField()->setText(QStringLiteral("third person verbs"));
        dialog->tagsField()->setText(QStringLiteral("pos, verb, pos"));
        dialog->textField()->setPlainText(QStringLiteral("Fires on VBZ.\nPlanted in the demo."));
        dialog->accept();

        const NeuronId id = w.controller()->layout().neuron(a);
        const NeuronNote *note = w.controller()->note(id);
        QVERIFY(note);
        QCOMPARE(note->tags, (QStringList{QStringLiteral("pos"), QStringLiteral("verb")}));
        QCOMPARE(note->source, NoteSource::Human);
        QVERIFY(!note->modified.isEmpty());
        QVERIFY2(inspector->noteText().contains(QStringLiteral("third person verbs")),
                 qPrintable(inspector->noteText()));
        QVERIFY(inspector->noteText().contains(QStringLiteral("pos, verb")));
        QCOMPARE(inspector->noteButton()->text(), QStringLiteral("Edit note\u2026"));
        QVERIFY(noteLine->isVisibleTo(inspector));
        NotesView *view = w.notesView();
        QCOMPARE(view->shownCount(), 1);
        QCOMPARE(view->neuronAt(0), id);
        QVERIFY(!view->emptyHint()->isVisibleTo(view));

        // The heatmap tooltip of that cell names the note.
        SalienceHeatmapCanvas *heat = w.heatmap();
        const QPoint p = heat->pixelForNeuron(a);
        QVERIFY(p.x() >= 0);
        int row = -1, x = -1;
        for (int r = 0; r < int(w.probe()->layout.layerIds.size()) && row < 0; ++r)
            for (int c = 0; c < w.probe()->layout.dims; ++c)
                if (heat->columnAt(r, c) == a) {
                    row = r;
                    x = c;
                    break;
                }
        QVERIFY(row >= 0);
        QVERIFY2(heat->tooltipAt(row, x).contains(QStringLiteral("note: third person verbs [pos, "
                                                                 "verb]")),
                 qPrintable(heat->tooltipAt(row, x)));

        // A second note (auto) on another neuron, then search and tag filters.
        NeuronNote other;
        other.neuron = w.controller()->layout().neuron(b);
        other.label = QStringLiteral("determiners");
        other.tags = {QStringLiteral("pos")};
        other.source = NoteSource::Auto;
        QVERIFY(w.controller()->setNote(other));
        QCOMPARE(view->shownCount(), 2);
        view->searchField()->setText(QStringLiteral("planted VBZ"));
        QCOMPARE(view->shownCount(), 1);
        QCOMPARE(view->neuronAt(0), id);
        view->searchField()->clear();
        const int verbTag = view->tagChooser()->findText(QStringLiteral("verb"));
        QVERIFY(verbTag > 0);
        view->tagChooser()->setCurrentIndex(verbTag);
        QCOMPARE(view->shownCount(), 1);
        view->tagChooser()->setCurrentIndex(view->tagChooser()->findText(QStringLiteral("pos")));
        QCOMPARE(view->shownCount(), 2);
        view->tagChooser()->setCurrentIndex(0);

        // Double-click (activation) on the determiner note selects its neuron.
        int detRow = view->neuronAt(0) == other.neuron ? 0 : 1;
        QSignalSpy selected(&w, &MainWindow::neuronSelected);
        Q_EMIT view->table()->activated(view->table()->model()->index(detRow, 0));
        QCOMPARE(w.selectedColumn(), b);
        QTRY_VERIFY2_WITH_TIMEOUT(!w.profilePending() && w.inspector()->summary().column == b,
                                  qPrintable(w.lastError()), 60000);
        QVERIFY(inspector->noteText().contains(QStringLiteral("determiners")));
        QVERIFY(inspector->noteText().contains(QStringLiteral("auto")));

        // The report writes both notes as CSV and JSON; its session keeps them.
        const QString dir = m_dir.filePath(QStringLiteral("report"));
        QString error;
        QVERIFY2(w.exportReport(dir, &error), qPrintable(error));
        QFile csv(dir + QStringLiteral("/tables/notes.csv"));
        QVERIFY(csv.open(QIODevice::ReadOnly));
        const QByteArray csvText = csv.readAll();
        QVERIFY(csvText.startsWith("layer,unit,label,tags,source,modified,text"));
        QVERIFY(csvText.contains("third person verbs,pos; verb,human,"));
        QVERIFY(csvText.contains("determiners,pos,auto,"));
        QFile json(dir + QStringLiteral("/tables/notes.json"));
        QVERIFY(json.open(QIODevice::ReadOnly));
        const NeuronNotes fromReport =
            notesFromJson(QJsonDocument::fromJson(json.readAll()).array(), QStringLiteral("json"));
        QVERIFY(fromReport == w.controller()->notes());
        QVERIFY(loadSession(dir + QStringLiteral("/session.json")).notes == fromReport);
        QFile index(dir + QStringLiteral("/index.html"));
        QVERIFY(index.open(QIODevice::ReadOnly));
        QVERIFY(index.readAll().contains("tables/notes.csv"));

        // Save and reopen: the notes come back into the views.
        const QString path = m_dir.filePath(QStringLiteral("notes-session.json"));
        QVERIFY(w.saveSessionAs(path));
        MainWindow reopened;
        reopened.setInteractive(false);
        QVERIFY(reopened.openSession(path) >= 0);
        QVERIFY(reopened.waitForJobs(120000));
        QCOMPARE(reopened.notesView()->shownCount(), 2);
        QVERIFY(reopened.controller()->notes() == fromReport);

        // Remove through the inspector.
        selectAndWait(w, a);
        QVERIFY(inspector->removeNoteButton()->isVisibleTo(inspector));
        inspector->removeNoteButton()->click();
        QVERIFY(!w.controller()->note(id));
        QVERIFY(inspector->noteText().isEmpty());
        QVERIFY(!noteLine->isVisibleTo(inspector));
        QCOMPARE(view->shownCount(), 1);
    }

    // Item 3 on the demo: the planted VBZ neuron's class table opens with VBZ first and |W|
    // descending (signed weights shown), 8 rows visible; its top words respect the minimum
    // count (default 3, adjustable); the most negative sentences are listed in the inspector
    // and, after the most positive ones, in the word view.
    void inspectorWordsOnPlantedNeuron()
    {
        MainWindow w;
        trainDemo(w);
        const int column = plantedColumn(w, QStringLiteral("VBZ"));
        QVERIFY(column >= 0);
        selectAndWait(w, column);
        NeuronInspector *inspector = w.inspector();
        QTableView *classes = inspector->classTable();
        const QAbstractItemModel *m = classes->model();
        QVERIFY(m->rowCount() >= 8);
        QCOMPARE(m->index(0, 1).data().toString(), QStringLiteral("VBZ"));
        for (int r = 1; r < m->rowCount(); ++r) {
            const double prev = m->index(r - 1, 3).data(ValueRole).toDouble();
            const double cur = m->index(r, 3).data(ValueRole).toDouble();
            if (std::isnan(cur))
                continue;
            QVERIFY2(prev >= cur, qPrintable(QStringLiteral("row %1").arg(r)));
            QCOMPARE(std::abs(m->index(r, 2).data(ValueRole).toDouble()), cur);
        }
        bool negativeShown = false;
        for (int r = 0; r < m->rowCount(); ++r)
            negativeShown =
                negativeShown || m->index(r, 2).data().toString().startsWith(QChar(0x2212));
        QVERIFY2(negativeShown, "a negative weight is shown with its sign");
        QVERIFY(classes->minimumHeight() >= 8 * classes->verticalHeader()->defaultSectionSize());

        QSpinBox *minCount = inspector->minWordCountSpin();
        QCOMPARE(minCount->value(), 3);
        const auto &words = inspector->profile().topWords;
        QVERIFY(!words.empty());
        for (const TopWord &t : words)
            QVERIFY(t.count >= 3);
        // A large minimum recomputes the profile in core.
        QSignalSpy ready(&w, &MainWindow::neuronProfileReady);
        minCount->setValue(200);
        QTRY_VERIFY2_WITH_TIMEOUT(!ready.isEmpty() && !w.profilePending(),
                                  qPrintable(w.lastError()), 60000);
        for (const TopWord &t : inspector->profile().topWords)
            QVERIFY2(t.count >= 200, qPrintable(t.word));
        QCOMPARE(inspector->topWordsTable()->model()->rowCount(),
                 int(inspector->profile().topWords.size()));

        // Most negative sentences: in the inspector's second tab and in the word view.
        const auto &negative = inspector->profile().negativeSentences;
        QVERIFY(!negative.empty());
        QCOMPARE(inspector->negativeSentenceList()->count(), int(negative.size()));
        for (std::size_t i = 1; i < negative.size(); ++i)
            QVERIFY(negative[i - 1].score <= negative[i].score);
        QVERIFY(negative.front().score < 0);
        QVERIFY(negative.front().score < inspector->profile().sentences.front().score);
        const WordActivationData &data = w.wordView()->data();
        const std::size_t positives = inspector->profile().sentences.size();
        QCOMPARE(data.sentences.size(), positives + negative.size());
        QCOMPARE(data.sentences[0].group, QStringLiteral("most positive 1"));
        QCOMPARE(data.sentences[positives].group, QStringLiteral("most negative 1"));
        QCOMPARE(data.sentences[positives].record, qint64(negative.front().sentence));
        const auto &acts = data.sentences[positives].activations;
        QCOMPARE(double(*std::min_element(acts.begin(), acts.end())), negative.front().score);
    }
};

QTEST_MAIN(TestNotes)
#include "tst_notes.moc"
