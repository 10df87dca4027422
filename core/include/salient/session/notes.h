#pragma once
// Neuron notes: bookmarks with a short label, tags and a free note on a model's neuron, written
// by a person ("human") or by a tool ("auto"). Saved in the session ("notes" array), exported in
// the report (notes.csv, notes.json) and printed by `salient-cli notes SESSION`.
//
// A note is keyed by the model's neuron (NeuronId: file layer id and unit), not by a column of
// the loaded matrix, so it stays on the same neuron when another layer subset is loaded. Plain
// value types; no widgets; every function is pure (any thread) unless it says it throws.
#include "salient/probe/neuronid.h"

#include <QByteArray>
#include <QJsonArray>
#include <QString>
#include <QStringList>
#include <vector>

namespace salient {

/// Who wrote a note.
enum class NoteSource {
    Human, ///< typed by a person (the GUI's default)
    Auto,  ///< written by a tool (e.g. a script or an analysis)
};

/// "human" / "auto".
QString noteSourceName(NoteSource source);
/// The inverse of noteSourceName; throws salient::Error naming @p where for another text.
NoteSource noteSourceFromName(const QString &name, const QString &where);

/// One note on one neuron.
struct NeuronNote {
    NeuronId neuron;  ///< the model's neuron; must be valid
    QString label;    ///< short label, e.g. "plural nouns" (may be empty)
    QStringList tags; ///< trimmed, non-empty, without duplicates (see normalizeTags)
    QString text;     ///< free note, any length, may span lines
    NoteSource source = NoteSource::Human;
    QString modified; ///< ISO 8601 UTC time of the last change ("" = unknown)
    friend bool operator==(const NeuronNote &, const NeuronNote &) = default;
};

/// @p tags trimmed, empty ones and duplicates (case-sensitive) removed, order kept.
QStringList normalizeTags(const QStringList &tags);
/// Tags from comma-separated text ("noun, plural" → {"noun", "plural"}), normalised.
QStringList parseTags(const QString &text);

/**
 * A session's notes: at most one per neuron, kept sorted by NeuronId (layer, then unit).
 * A value type (copyable); not thread-safe for concurrent writes.
 */
class NeuronNotes {
public:
    const std::vector<NeuronNote> &all() const { return m_notes; }
    bool isEmpty() const { return m_notes.empty(); }
    int size() const { return int(m_notes.size()); }
    /// The note of @p id, or null. The pointer is valid until the next change.
    const NeuronNote *find(NeuronId id) const;
    /**
     * Adds @p note or replaces the note of the same neuron; tags are normalised. Throws
     * salient::Error for an invalid neuron.
     */
    void set(NeuronNote note);
    /// Removes the note of @p id; false when there was none.
    bool remove(NeuronId id);
    void clear() { m_notes.clear(); }

    friend bool operator==(const NeuronNotes &, const NeuronNotes &) = default;

private:
    std::vector<NeuronNote> m_notes;
};

/**
 * True when @p note matches a search: every whitespace-separated word of @p text occurs
 * (case-insensitively) in its label, text, a tag or its neuron name ("layer 3 · unit 17" and
 * "L3:17"), and, when @p tag is non-empty, one of its tags equals @p tag (case-insensitively).
 * Empty @p text and @p tag match everything.
 */
bool noteMatches(const NeuronNote &note, const QString &text, const QString &tag = {});

/**
 * JSON array: each {"layer", "unit", "label", "tags": [..], "text", "source": "human"|"auto",
 * "modified"}, in NeuronId order.
 */
QJsonArray notesToJson(const NeuronNotes &notes);
/**
 * The inverse. Throws salient::Error naming @p where and the entry ("notes[2].layer") for a
 * non-object entry, a missing or negative layer/unit, a non-string label/text, non-string tags,
 * an unknown source, or two notes on the same neuron.
 */
NeuronNotes notesFromJson(const QJsonArray &array, const QString &where);
/// CSV with header layer,unit,label,tags,source,modified,text (tags joined by "; ").
QByteArray notesToCsv(const NeuronNotes &notes);

} // namespace salient
