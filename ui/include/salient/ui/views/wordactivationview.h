#pragma once
// View 6 (DESIGN.md §4): sentences with every token's background coloured by one neuron's
// activation (spec/NEUROX.md §14.3). The view only shows numbers computed by core; the colour
// scale is the only arithmetic done here.
//
// Geometry: the view lays its "document" out to the viewport width. The document is, from top to
// bottom, a title and legend, then every sentence (a small grey header line, then the tokens,
// wrapped). Tokens are plain text: they are measured with QFontMetricsF and drawn with
// QPainter::drawText, which never interprets markup. Each sentence has a paragraph direction
// (automatic by default: the first strong character of the sentence decides), and tokens of a
// right-to-left sentence flow from the right edge to the left.
#include <QAbstractScrollArea>
#include <QColor>
#include <QFont>
#include <QPair>
#include <QRect>
#include <QRectF>
#include <QSize>
#include <QString>
#include <QStringList>
#include <QVector>
#include <vector>

#include "salient/analyses/corpusanalysis.h"
#include "salient/data/corpus.h"

namespace salient::ui {

struct Figure;
struct FigureStyle;

/// One sentence as shown by WordActivationView. Plain data; no invariants enforced at
/// construction, WordActivationView::setData checks them.
struct WordSentence {
    qint64 record = -1;         ///< record index (line of the token file), -1 = unknown
    QStringList tokens;         ///< token texts, shown literally
    QVector<float> activations; ///< the neuron's activation per token (same length as tokens)
    QStringList labels;         ///< gold label per token, or empty (no labels)
    QVector<int> rows;          ///< dataset row per token, or empty; -1 = no row
    /// Paragraph direction. Qt::LayoutDirectionAuto = from the first strong character.
    Qt::LayoutDirection direction = Qt::LayoutDirectionAuto;
    /// Which list the sentence belongs to, shown first in its header (e.g. "most negative 2");
    /// empty = none.
    QString group;
};

/// What WordActivationView shows: a title (e.g. "Layer 3 · neuron 17") and the sentences.
struct WordActivationData {
    QString title;
    std::vector<WordSentence> sentences;
};

/**
 * Builds view data for column @p column of @p ds from the sentences with the given record
 * indices (Dataset::rowSentence values), in the given order. Rows of each sentence are taken in
 * ascending row order. Labels are filled when @p vocab is non-null and ds.y has one entry per row
 * (a label index outside the vocabulary shows as "?"). Records without rows in @p ds are skipped.
 * Throws salient::Error when @p column is out of range or rowSentence/rowToken do not have one
 * entry per row. Any thread (no GUI objects).
 */
WordActivationData wordDataFromDataset(const Dataset &ds, int column,
                                       const std::vector<Index> &records,
                                       const LabelVocabulary *vocab = nullptr);

/**
 * The same for the sentences chosen by core's topSentences (their order kept). Tokens and
 * activations come from @p top; dataset rows and labels are looked up in @p ds (rows of the
 * record in ascending order; they must be as many as the tokens, otherwise rows and labels stay
 * empty for that sentence). Throws salient::Error as wordDataFromDataset. Any thread.
 */
WordActivationData wordDataFromTopSentences(const Dataset &ds, int column,
                                            const std::vector<SentenceActivation> &top,
                                            const LabelVocabulary *vocab = nullptr);

/**
 * The most positive sentences (@p positive, core's topSentences order) followed by the most
 * negative ones (@p negative, SentenceScore::Min order), each sentence's group set to
 * "most positive N" / "most negative N" (1-based within its list). A sentence in both lists
 * appears in both. Throws salient::Error as wordDataFromDataset. Any thread.
 */
WordActivationData wordDataFromExtremeSentences(const Dataset &ds, int column,
                                                const std::vector<SentenceActivation> &positive,
                                                const std::vector<SentenceActivation> &negative,
                                                const LabelVocabulary *vocab = nullptr);

/**
 * The per-word activation view. Thread: GUI only (every member).
 *
 * Colours (tokenColour): with limit L = max|a| over the sentence (PerSentence) or over all shown
 * sentences (Global), and o = |a| / L:
 *  - NeuroX scheme: red #d35f5f for a <= 0, blue #00aad4 for a > 0, alpha 1 − (1 − o)² (the
 *    NeuroX layer drawn twice);
 *  - Diverging scheme: a blue–white–orange map (orange negative, blue positive; readable with the
 *    common colour-vision deficiencies) at t = a / L in [−1, 1], opaque.
 * a == 0, a non-finite activation, or L == 0 (an all-zero sentence) draw no colour: tokenColour
 * returns an invalid QColor. Nothing divides by zero.
 *
 * Sentence indices in the public API are indices into WordActivationData::sentences (data order),
 * whatever the display order (see setSortByActivation and displayOrder()).
 */
class WordActivationView : public QAbstractScrollArea {
    Q_OBJECT
public:
    enum class ColourScheme { NeuroX, Diverging };
    enum class Normalisation { PerSentence, Global };

    /// Where search() looks.
    struct SearchOptions {
        bool words = true;       ///< match token texts
        bool labels = true;      ///< match gold labels
        bool wholeToken = false; ///< true: the whole token/label must equal the text
        Qt::CaseSensitivity caseSensitivity = Qt::CaseInsensitive;
    };

    /// Figure export. The document is laid out at @p width logical pixels (0 = the current
    /// viewport width, at least 200) and drawn by the same code as on screen, legend included.
    struct ExportOptions {
        int width = 0;      ///< layout width in logical pixels (0 = as on screen)
        double scale = 2.0; ///< PNG: device pixels per logical pixel (> 0, at most 16)
        int dpi = 192;      ///< PNG: resolution stored in the file; PDF: writer resolution
        QColor background = Qt::white; ///< PNG background (SVG and PDF also draw it)
    };

    explicit WordActivationView(QWidget *parent = nullptr);
    ~WordActivationView() override;

    /**
     * Shows @p data. Inconsistent sentences are repaired rather than rejected, so the view never
     * indexes out of range: tokens beyond the activations (or activations beyond the tokens) are
     * dropped; non-empty labels and rows are padded (empty label, row −1) or truncated to the
     * token count. Clears the selection; a running search is repeated on the new data.
     */
    void setData(WordActivationData data);
    const WordActivationData &data() const { return m_data; }
    /// What the view says while it has no sentences (what to do next); never exported.
    void setEmptyText(const QString &text);
    QString emptyText() const { return m_emptyText; }
    int sentenceCount() const { return int(m_data.sentences.size()); }

    void setColourScheme(ColourScheme scheme);
    ColourScheme colourScheme() const { return m_scheme; }
    void setNormalisation(Normalisation normalisation);
    Normalisation normalisation() const { return m_norm; }
    /// NeuroX's "top_tokens" filter: activations with |a| <= 0.8 · max|a| of their sentence are
    /// shown as 0 (no colour). Off by default.
    void setTopTokensFilter(bool on);
    bool topTokensFilter() const { return m_topTokens; }
    /// Gold label drawn under each token (small grey text). Off by default.
    void setShowLabels(bool on);
    bool showLabels() const { return m_showLabels; }
    /// Legend (colour bar with −L / 0 / +L) at the top of the document. On by default.
    void setShowLegend(bool on);
    bool showLegend() const { return m_showLegend; }
    /// Sentences ordered by their maximum activation, descending (ties and sentences without a
    /// finite activation keep data order, the latter last). Off = data order.
    void setSortByActivation(bool on);
    bool sortByActivation() const { return m_sorted; }
    /// Data indices of the sentences in display order (top to bottom).
    QVector<int> displayOrder() const { return m_order; }

    /// The colour of activation @p a under limit @p limit in @p scheme (the class comment's
    /// rules; invalid when nothing is drawn). Views that reuse the scheme call it (SentenceView).
    static QColor activationColour(double a, double limit, ColourScheme scheme);
    /// Background colour of a token, as painted (alpha included); invalid when no colour is drawn
    /// or the indices are out of range.
    QColor tokenColour(int sentence, int token) const;
    /// Rectangle of a token's coloured box in viewport coordinates (current scroll position
    /// applied); null when out of range. Its width is the token text's advance (or the label's,
    /// when labels are shown and it is wider) plus 2 · tokenPadding(); the label is drawn below.
    QRect tokenRect(int sentence, int token) const;
    /// The limit L used for @p sentence under the current normalisation (0 = nothing coloured).
    double colourLimit(int sentence) const;
    /// Font of the token texts (the widget font at a fixed pixel size); tokens are measured with
    /// QFontMetricsF of this font.
    QFont tokenFont() const;
    /// Horizontal padding on each side of a token's text inside its box, in logical pixels.
    static constexpr int tokenPadding() { return 3; }
    /// Height of the whole document at the current width.
    int documentHeight() const { return int(m_docHeight + 0.5); }

    /**
     * Finds @p text in tokens and/or labels (empty text clears). Matches are outlined; the
     * current match (the first one, initially) is scrolled into view. Returns the match count.
     */
    int search(const QString &text, const SearchOptions &options);
    int search(const QString &text) { return search(text, SearchOptions()); }
    int matchCount() const { return int(m_matches.size()); }
    /// Index of the current match in 0..matchCount()−1, −1 when none.
    int currentMatch() const { return m_currentMatch; }
    /// (sentence, token) of match @p i in display order; (−1, −1) when out of range.
    QPair<int, int> match(int i) const;
    /// Moves to the next / previous match (wrapping around) and scrolls to it. False when there
    /// are no matches.
    bool nextMatch();
    bool previousMatch();

    /// Selected tokens as (sentence, token), in display order.
    QVector<QPair<int, int>> selectedTokens() const { return m_selection; }
    /// Dataset rows of the selected tokens (tokens without a row are left out).
    QVector<int> selectedRows() const;
    void clearSelection();
    /// Scrolls so that @p sentence is visible.
    void ensureSentenceVisible(int sentence);

    /**
     * Writes the whole document (title, legend, all sentences, current options) to @p path: PNG,
     * SVG or PDF by the file suffix (case-insensitive). Written atomically (a temporary file
     * renamed over @p path only on success). Returns false with a readable message in
     * @p error (when non-null) on an unknown suffix, invalid options or an I/O failure.
     */
    bool exportFigure(const QString &path, const ExportOptions &options, QString *error = nullptr);
    bool exportFigure(const QString &path) { return exportFigure(path, ExportOptions()); }

    /// Draws the document into @p rect (figure units, figureexport.h) laid out at its width with
    /// @p style's font, black on white; only the sentences that fit whole are drawn. GUI thread.
    void paintFigure(QPainter &painter, const QRectF &rect, const FigureStyle &style);
    /// The view as a Figure for writeFigure() (empty with a reason when no sentence is shown).
    Figure figure();

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

Q_SIGNALS:
    /// The selection changed by a mouse click: the dataset rows of the selected tokens.
    void tokensSelected(QVector<int> rows);
    /// The current search match changed (index, count).
    void currentMatchChanged(int index, int count);

protected:
    void paintEvent(QPaintEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    bool viewportEvent(QEvent *event) override;
    void changeEvent(QEvent *event) override;

private:
    struct TokenBox {
        QRectF box;   ///< text box in document coordinates
        QRectF label; ///< label text rect (empty when labels are hidden)
    };
    struct SentenceLayout {
        QRectF bounds; ///< whole block incl. header
        QRectF header; ///< header text rect
        bool rtl = false;
        std::vector<TokenBox> tokens;
    };
    struct Layout {
        double width = 0;
        double height = 0;
        QRectF title, legendBar, caption;      ///< caption: legend text (word-wrapped)
        std::vector<SentenceLayout> sentences; ///< by data index
    };

    void sanitise();
    void recomputeOrder();
    void rematch();
    void recomputeScale();
    void relayout();
    Layout computeLayout(double width) const;
    void updateScrollBars();
    void paintDocument(QPainter &p, const Layout &layout, const QRectF &exposed,
                       bool onScreen) const;
    void paintLegend(QPainter &p, const Layout &layout) const;
    QColor colourFor(double a, double limit) const;
    double shownActivation(int sentence, int token) const;
    QPair<int, int> hitTest(const QPoint &viewportPos) const;
    int scrollY() const;
    void scrollToRect(const QRectF &docRect);
    QFont smallFont() const;
    QString headerText(int sentence) const;
    QString legendLimitText(bool negative) const;
    QString legendCaption() const;

    WordActivationData m_data;
    QString m_emptyText;
    ColourScheme m_scheme = ColourScheme::NeuroX;
    Normalisation m_norm = Normalisation::PerSentence;
    bool m_topTokens = false;
    bool m_showLabels = false;
    bool m_showLegend = true;
    bool m_sorted = false;

    QVector<int> m_order;              ///< display order (data indices)
    std::vector<double> m_sentenceMax; ///< max a per sentence (−inf when none)
    std::vector<double> m_sentenceAbs; ///< max |a| per sentence after the filter
    double m_globalAbs = 0;
    Layout m_layout;
    QFont m_figureFont; ///< tokenFont() while paintFigure() runs
    bool m_useFigureFont = false;
    double m_docHeight = 0;

    QString m_searchText;
    SearchOptions m_searchOptions;
    QVector<QPair<int, int>> m_matches;
    int m_currentMatch = -1;
    QVector<QPair<int, int>> m_selection;
    QPair<int, int> m_anchor{-1, -1};
};

} // namespace salient::ui
