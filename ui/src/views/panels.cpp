#include "salient/ui/views/panels.h"

#include "salient/ui/jobs/jobsdock.h"
#include "salient/ui/views/probesettings.h"
#include "salient/ui/views/wordactivationview.h"

#include <QComboBox>
#include <QFrame>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QLineEdit>
#include <QPushButton>
#include <QScrollArea>
#include <QSpinBox>
#include <QVBoxLayout>

namespace salient::ui {

RunPanel::RunPanel(JobRunner *jobs, QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(4, 4, 4, 4);
    // The settings scroll when the dock is short (a 768-pixel screen); the buttons and the job
    // list stay in view.
    auto *scroll = new QScrollArea(this);
    scroll->setObjectName(QStringLiteral("probeSettingsScroll"));
    scroll->setWidgetResizable(true);
    scroll->setFrameShape(QFrame::NoFrame);
    m_settings = new ProbeSettingsWidget(scroll);
    scroll->setWidget(m_settings);
    scroll->setMinimumHeight(4 * fontMetrics().height());
    layout->addWidget(scroll, 1);
    auto *grid = new QGridLayout; // two buttons a row: the list of analyses stays short
    int cell = 0;
    const std::pair<const char *, const char *> buttons[] = {
        {"probe", "Train probe"},
        {"grid-search", "Grid search (λ1 × λ2)"},
        {"minimal-subset", "Minimal subset"},
        {"ablation", "Ablation curves"},
        {"selectivity", "Control task / selectivity"},
        {"layerwise", "Layer-wise probes"}};
    for (const auto &[name, label] : buttons) {
        auto *b = new QPushButton(tr(label), this);
        b->setObjectName(QStringLiteral("run-") + QLatin1String(name));
        const QString analysis = QLatin1String(name);
        connect(b, &QPushButton::clicked, this,
                [this, analysis] { Q_EMIT runRequested(analysis); });
        if (analysis != QLatin1String("probe")) {
            b->setToolTip(b->text());
            grid->addWidget(b, cell / 2, cell % 2);
            ++cell;
            continue;
        }
        // Train probe [Seeds N]: N probes with seeds seed..seed+N−1 (mean ± sd, stability).
        auto *row = new QHBoxLayout;
        row->addWidget(b, 1);
        row->addWidget(new QLabel(tr("Seeds"), this));
        m_probeSeeds = new QSpinBox(this);
        m_probeSeeds->setObjectName(QStringLiteral("probeSeeds"));
        m_probeSeeds->setRange(1, 1000);
        m_probeSeeds->setValue(1);
        m_probeSeeds->setToolTip(
            tr("Train this many probes (seeds seed, seed+1, …): accuracy as mean ± sd, the "
               "stability of the top-k ranking across seeds and against a probe with "
               "standardisation flipped. The first probe is the one every view shows."));
        row->addWidget(m_probeSeeds);
        layout->addLayout(row);
    }
    layout->addLayout(grid);
    m_jobsDock = new JobsDock(jobs, this);
    layout->addWidget(m_jobsDock, 1);
}

QJsonObject RunPanel::analysisOptions(const QString &name) const
{
    QJsonObject o;
    if (name == QLatin1String("probe") && m_probeSeeds->value() > 1)
        o[QStringLiteral("seeds")] = m_probeSeeds->value();
    return o;
}

WordsPanel::WordsPanel(QWidget *parent) : QWidget(parent)
{
    auto *layout = new QVBoxLayout(this);
    layout->setContentsMargins(2, 2, 2, 2);
    auto *bar = new QHBoxLayout;
    m_search = new QLineEdit(this);
    m_search->setPlaceholderText(tr("Search words or labels (Enter: next match)"));
    m_search->setClearButtonEnabled(true);
    m_count = new QLabel(this);
    auto *scheme = new QComboBox(this);
    scheme->setObjectName(QStringLiteral("wordsScheme"));
    scheme->addItems({tr("NeuroX red/blue"), tr("diverging (colour-blind safe)")});
    auto *norm = new QComboBox(this);
    norm->setObjectName(QStringLiteral("wordsNormalisation"));
    norm->addItems({tr("scale per sentence"), tr("one scale for all")});
    // Narrow docks elide the choices instead of widening the window (full text in the tooltip).
    for (QComboBox *c : {scheme, norm}) {
        c->setSizeAdjustPolicy(QComboBox::AdjustToMinimumContentsLengthWithIcon);
        c->setMinimumContentsLength(10);
        c->setToolTip(c->currentText());
        connect(c, &QComboBox::currentTextChanged, c, &QComboBox::setToolTip);
    }
    bar->addWidget(m_search, 1);
    bar->addWidget(m_count);
    bar->addWidget(scheme);
    bar->addWidget(norm);
    layout->addLayout(bar);
    m_words = new WordActivationView(this);
    layout->addWidget(m_words, 1);
    connect(m_search, &QLineEdit::textChanged, this, [this](const QString &text) {
        const int n = m_words->search(text);
        m_count->setText(text.isEmpty() ? QString() : tr("%n match(es)", nullptr, n));
    });
    connect(m_search, &QLineEdit::returnPressed, this, [this] { m_words->nextMatch(); });
    connect(scheme, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_words->setColourScheme(i == 1 ? WordActivationView::ColourScheme::Diverging
                                        : WordActivationView::ColourScheme::NeuroX);
    });
    connect(norm, &QComboBox::currentIndexChanged, this, [this](int i) {
        m_words->setNormalisation(i == 1 ? WordActivationView::Normalisation::Global
                                         : WordActivationView::Normalisation::PerSentence);
    });
}

} // namespace salient::ui
