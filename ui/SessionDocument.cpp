#include "SessionDocument.h"

#include "core/Error.h"
#include "core/io/AtomicFile.h"
#include "core/model/SessionJson.h"
#include "core/model/SessionSource.h"

#include <QAbstractButton>
#include <QComboBox>
#include <QDir>
#include <QDoubleSpinBox>
#include <QFile>
#include <QFileInfo>
#include <QSignalBlocker>
#include <QSlider>
#include <QStandardPaths>
#include <QUndoCommand>

#include <cmath>
#include <fstream>
#include <sstream>

namespace lathe::ui {

namespace {

// Snapshot command: before/after copies of the whole session. Merging keeps the first "before" and the latest
// "after", so a fader dragged through 200 values undoes in one step.
class SessionEditCommand : public QUndoCommand {
public:
    SessionEditCommand(SessionDocument* document, const QString& text, core::Session before,
                       core::Session after, QString mergeKey)
        : QUndoCommand(text), document_(document), before_(std::move(before)), after_(std::move(after)),
          mergeKey_(std::move(mergeKey)), gesture_(document->gesture()) {}

    void undo() override { document_->applySnapshot(before_); }
    void redo() override { document_->applySnapshot(after_); }
    int id() const override { return mergeKey_.isEmpty() ? -1 : 1; }
    bool mergeWith(const QUndoCommand* other) override {
        const auto* next = static_cast<const SessionEditCommand*>(other);
        if (next->mergeKey_ != mergeKey_ || next->gesture_ != gesture_) return false;
        after_ = next->after_;
        return true;
    }

private:
    SessionDocument* document_;
    core::Session before_, after_;
    QString mergeKey_;
    int gesture_;
};

constexpr int kDefaultAutosaveMs = 60 * 1000;

} // namespace

SessionDocument::SessionDocument(QObject* parent) : QObject(parent) {
    autosaveTimer_.setInterval(kDefaultAutosaveMs);
    connect(&autosaveTimer_, &QTimer::timeout, this, [this] {
        if (isDirty()) writeRecovery();
    });
    connect(&undoStack_, &QUndoStack::cleanChanged, this, [this](bool clean) {
        if (clean) discardRecovery();
        emit dirtyChanged(open_ && !clean);
    });
}

SessionDocument::~SessionDocument() {
    // Commands hold a pointer back to us; drop them before our members go. Not a clean close: the recovery
    // file stays (it is removed by close() and by saving), so quitting through a crash path still offers it.
    undoStack_.disconnect(this);
    undoStack_.clear();
}

QString SessionDocument::displayName() const {
    if (!open_) return {};
    if (!filePath_.isEmpty()) return QFileInfo(filePath_).fileName();
    return QString::fromStdString(session_.song.empty() ? session_.folder : session_.song);
}

void SessionDocument::reset(core::Session session, std::optional<core::FolderScan> scan,
                            const QString& filePath, bool markDirty) {
    undoStack_.clear();
    session_ = std::move(session);
    scan_ = std::move(scan);
    open_ = true;
    if (filePath_ != filePath) {
        filePath_ = filePath;
        emit filePathChanged(filePath_);
    }
    undoStack_.setClean();
    if (markDirty) undoStack_.resetClean();
    autosaveTimer_.start();
    emit opened();
    emit sessionChanged();
    emit dirtyChanged(isDirty());
}

void SessionDocument::close() {
    if (!open_) return;
    autosaveTimer_.stop();
    undoStack_.clear();
    open_ = false;
    session_ = {};
    scan_.reset();
    filePath_.clear();
    discardRecovery();
    emit filePathChanged(filePath_);
    emit closed();
    emit dirtyChanged(false);
}

bool SessionDocument::edit(const QString& description, const std::function<void(core::Session&)>& change,
                           const QString& mergeKey) {
    if (!open_) return false;
    core::Session after = session_;
    try {
        change(after);
        if (after == session_) return true;
        (void)core::sessionFromJson(core::toJson(after), "session");
    } catch (const core::Error&) {
        return false;
    }
    undoStack_.push(new SessionEditCommand(this, description, session_, std::move(after), mergeKey));
    return true;
}

void SessionDocument::applySnapshot(const core::Session& session) {
    session_ = session;
    emit sessionChanged();
}

bool SessionDocument::save(QString* error) {
    if (filePath_.isEmpty()) {
        if (error) *error = tr("The session has no file yet: use Save As.");
        return false;
    }
    return saveAs(filePath_, error);
}

bool SessionDocument::saveAs(const QString& path, QString* error) {
    try {
        // The rule every writer follows: never inside the client folder, never over a source.
        core::WritePlan plan;
        plan.outputs.push_back(path.toStdString());
        core::addSessionSources(plan.sources, session_);
        core::checkWritePlan(plan);
        core::saveSession(session_, path.toStdString());
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return false;
    }
    if (filePath_ != path) {
        filePath_ = path;
        emit filePathChanged(filePath_);
    }
    undoStack_.setClean();
    discardRecovery();
    return true;
}

QString SessionDocument::recoveryFilePath() {
    const QString dir = QStandardPaths::writableLocation(QStandardPaths::AppDataLocation);
    return QDir(dir).filePath(QStringLiteral("recovery.lathe-recovery"));
}

bool SessionDocument::hasRecovery() {
    return QFile::exists(recoveryFilePath());
}

void SessionDocument::writeRecovery() {
    if (!open_) return;
    const QString path = recoveryFilePath();
    QDir().mkpath(QFileInfo(path).absolutePath());
    nlohmann::json wrapper;
    wrapper["format"] = "lathe-recovery";
    wrapper["session_file"] = filePath_.toStdString();
    wrapper["session"] = core::toJson(session_);
    try {
        core::writeFileAtomically(path.toStdString(), wrapper.dump(2) + "\n");
    } catch (const std::exception&) {
        // Autosave is a safety net; a failed write must not interrupt the engineer. The next tick retries.
    }
}

std::optional<core::Session> SessionDocument::loadRecovery(QString* originalPath, QString* error) {
    const std::string path = recoveryFilePath().toStdString();
    std::ifstream in(path, std::ios::binary);
    if (!in) {
        if (error) *error = tr("%1: cannot be read").arg(QString::fromStdString(path));
        return std::nullopt;
    }
    std::stringstream text;
    text << in.rdbuf();
    try {
        const nlohmann::json wrapper = nlohmann::json::parse(text.str());
        if (wrapper.value("format", std::string()) != "lathe-recovery" || !wrapper.contains("session"))
            throw core::Error(path, "not a Lathe recovery file");
        if (originalPath)
            *originalPath = QString::fromStdString(wrapper.value("session_file", std::string()));
        return core::sessionFromJson(wrapper.at("session"), path);
    } catch (const std::exception& e) {
        if (error) *error = QString::fromStdString(e.what());
        return std::nullopt;
    }
}

void SessionDocument::discardRecovery() {
    QFile::remove(recoveryFilePath());
}

void SessionDocument::setAutosaveInterval(int ms) {
    autosaveTimer_.setInterval(ms);
}

namespace {

template <typename T, typename Field>
T readField(const SessionDocument* document, const Field& field) {
    core::Session copy = document->session();
    return field(copy);
}

QString mergeKeyFor(const QObject* control, const QString& description) {
    return QStringLiteral("%1/%2").arg(quintptr(control)).arg(description);
}

} // namespace

void bindNumber(SessionDocument* document, QDoubleSpinBox* box, NumberField field, const QString& description,
                double scale) {
    auto refresh = [document, box, field, scale] {
        if (!document->isOpen()) return;
        const QSignalBlocker block(box);
        box->setValue(readField<double>(document, field) * scale);
    };
    QObject::connect(document, &SessionDocument::sessionChanged, box, refresh);
    QObject::connect(box, &QDoubleSpinBox::editingFinished, document, &SessionDocument::endEditGesture);
    QObject::connect(box, &QDoubleSpinBox::valueChanged, document,
                     [document, box, field, description, scale, refresh](double v) {
                         const bool taken = document->edit(
                             description, [&](core::Session& s) { field(s) = v / scale; },
                             mergeKeyFor(box, description));
                         if (!taken) refresh();
                     });
    refresh();
}

void bindNumber(SessionDocument* document, QSlider* slider, double scale, NumberField field,
                const QString& description) {
    auto refresh = [document, slider, field, scale] {
        if (!document->isOpen()) return;
        const QSignalBlocker block(slider);
        slider->setValue(static_cast<int>(std::lround(readField<double>(document, field) * scale)));
    };
    QObject::connect(document, &SessionDocument::sessionChanged, slider, refresh);
    QObject::connect(slider, &QSlider::sliderReleased, document, &SessionDocument::endEditGesture);
    QObject::connect(slider, &QSlider::valueChanged, document,
                     [document, slider, field, scale, description](int v) {
                         document->edit(
                             description, [&](core::Session& s) { field(s) = v / scale; },
                             mergeKeyFor(slider, description));
                     });
    refresh();
}

void bindFlag(SessionDocument* document, QAbstractButton* button, FlagField field,
              const QString& description) {
    auto refresh = [document, button, field] {
        if (!document->isOpen()) return;
        const QSignalBlocker block(button);
        button->setChecked(readField<bool>(document, field));
    };
    QObject::connect(document, &SessionDocument::sessionChanged, button, refresh);
    QObject::connect(button, &QAbstractButton::toggled, document, [document, field, description](bool on) {
        document->edit(description, [&](core::Session& s) { field(s) = on; });
    });
    refresh();
}

void bindText(SessionDocument* document, QComboBox* combo, TextField field, const QString& description) {
    auto refresh = [document, combo, field] {
        if (!document->isOpen()) return;
        const QSignalBlocker block(combo);
        const int index = combo->findData(QString::fromStdString(readField<std::string>(document, field)));
        combo->setCurrentIndex(std::max(0, index));
    };
    QObject::connect(document, &SessionDocument::sessionChanged, combo, refresh);
    QObject::connect(combo, &QComboBox::currentIndexChanged, document,
                     [document, combo, field, description](int) {
                         const std::string value = combo->currentData().toString().toStdString();
                         document->edit(description, [&](core::Session& s) { field(s) = value; });
                     });
    refresh();
}

void bindChoice(SessionDocument* document, QComboBox* combo, IntField field, const QString& description) {
    auto refresh = [document, combo, field] {
        if (!document->isOpen()) return;
        const QSignalBlocker block(combo);
        combo->setCurrentIndex(std::max(0, combo->findData(readField<int>(document, field))));
    };
    QObject::connect(document, &SessionDocument::sessionChanged, combo, refresh);
    QObject::connect(combo, &QComboBox::currentIndexChanged, document,
                     [document, combo, field, description, refresh](int) {
                         const int value = combo->currentData().toInt();
                         if (!document->edit(description, [&](core::Session& s) { field(s) = value; }))
                             refresh();
                     });
    refresh();
}

} // namespace lathe::ui
