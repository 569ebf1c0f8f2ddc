#pragma once

#include "core/io/ClientFolder.h"
#include "core/model/Session.h"

#include <QObject>
#include <QString>
#include <QTimer>
#include <QUndoStack>

#include <functional>
#include <optional>

class QAbstractButton;
class QComboBox;
class QDoubleSpinBox;
class QSlider;

namespace lathe::ui {

// The open session: the model every panel edits and the engine plays. Edits go through the undo stack as
// whole-session snapshots (a session is a few kB), so undo restores exactly what was there, including edits
// that touch several keys at once. Panels never keep their own copy: they read session() when sessionChanged
// fires.
class SessionDocument : public QObject {
    Q_OBJECT
public:
    explicit SessionDocument(QObject* parent = nullptr);
    ~SessionDocument() override;

    bool isOpen() const { return open_; }
    const core::Session& session() const { return session_; }
    // The folder scan behind the session (files, formats, problems); empty when the folder could not be read.
    const std::optional<core::FolderScan>& scan() const { return scan_; }
    // The .lathe file the session was loaded from or saved to; empty for a folder that was never saved.
    const QString& filePath() const { return filePath_; }
    QString displayName() const;
    bool isDirty() const { return open_ && !undoStack_.isClean(); }
    QUndoStack* undoStack() { return &undoStack_; }

    // Replaces the document (a freshly opened folder or session); clears undo history. markDirty is for a
    // recovered session, which holds edits that were never saved.
    void reset(core::Session session, std::optional<core::FolderScan> scan, const QString& filePath,
               bool markDirty = false);
    void close();

    // One undoable edit. Edits with the same non-empty mergeKey in a row (a fader drag) become one undo step.
    // A change that leaves the session as it was is dropped. The result is checked by the session file's
    // rules (core::sessionFromJson: ranges, rising crossovers...), so the document never holds a session that
    // could not be saved and loaded again. Returns false when change throws core::Error or the result breaks
    // a rule, leaving the session untouched.
    bool edit(const QString& description, const std::function<void(core::Session&)>& change,
              const QString& mergeKey = {});

    // Atomic writes (core::saveSession). On failure *error names the file and the problem.
    bool save(QString* error);
    bool saveAs(const QString& path, QString* error);

    // Ends a gesture (a fader released): the next edit starts a new undo step even with the same mergeKey.
    void endEditGesture() { ++gesture_; }
    int gesture() const { return gesture_; }

    // Crash recovery: while the document has unsaved edits it is written every autosaveIntervalMs to
    // recoveryFilePath(); a clean close or save removes it, so a file found at start-up means Lathe did not
    // exit cleanly.
    static QString recoveryFilePath();
    static bool hasRecovery();
    // Loads the recovery file: the session and the .lathe path it belonged to (empty if never saved).
    static std::optional<core::Session> loadRecovery(QString* originalPath, QString* error);
    static void discardRecovery();
    void writeRecovery();
    void setAutosaveInterval(int ms);

    // Applied by the undo command; public so it can reach it without friendship.
    void applySnapshot(const core::Session& session);

signals:
    void opened();
    void closed();
    // After every edit, undo, redo or reset.
    void sessionChanged();
    void dirtyChanged(bool dirty);
    void filePathChanged(const QString& path);

private:
    core::Session session_;
    std::optional<core::FolderScan> scan_;
    QString filePath_;
    bool open_ = false;
    QUndoStack undoStack_;
    QTimer autosaveTimer_;
    int gesture_ = 0;
};

// Two-way bindings between a control and one value of the session. The control shows the value after every
// edit, undo or redo; a user change becomes one undoable edit (a drag merges into one step). The accessor
// returns a reference into the session it is given, e.g. [i](core::Session& s) -> double& { return
// s.stems[i].gain_db; }.
using NumberField = std::function<double&(core::Session&)>;
using FlagField = std::function<bool&(core::Session&)>;
using TextField = std::function<std::string&(core::Session&)>;
using IntField = std::function<int&(core::Session&)>;

// The box shows value * scale (stereo link 0..1 shown as 0..100 % has scale 100). A value the session refuses
// (out of range, crossovers no longer rising) is not taken: the box goes back to the session's value.
void bindNumber(SessionDocument* document, QDoubleSpinBox* box, NumberField field, const QString& description,
                double scale = 1.0);
// The slider's integer value is value * scale (a gain fader in 0.1 dB steps has scale 10).
void bindNumber(SessionDocument* document, QSlider* slider, double scale, NumberField field,
                const QString& description);
void bindFlag(SessionDocument* document, QAbstractButton* button, FlagField field,
              const QString& description);
// The combo's item data are the session's strings.
void bindText(SessionDocument* document, QComboBox* combo, TextField field, const QString& description);
// The combo's item data are the session's whole numbers (saturation oversampling 1, 2, 4, 8).
void bindChoice(SessionDocument* document, QComboBox* combo, IntField field, const QString& description);

} // namespace lathe::ui
