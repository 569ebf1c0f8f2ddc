#pragma once

#include "core/model/Session.h"

#include <QString>
#include <QWidget>

#include <memory>
#include <vector>

class QComboBox;

namespace lathe::ui {

class SessionDocument;

// Which lane the editor shows: a stem's gain_db or width ride, or the master's gain_db ride.
struct AutomationTarget {
    int stem = -1; // -1 = the master
    bool width = false;
    friend bool operator==(const AutomationTarget&, const AutomationTarget&) = default;
};

// The automation lane under the waveform overview: the selected stem/parameter's breakpoints over the song,
// edited in place. Click on empty lane adds a point; drag moves one (between its neighbours; values clamp to
// the lane's range); right-click or double-click deletes one, as does Delete on the selected point. Times
// snap to the detected sections' boundaries (core::findSections on the song's mix, computed on a worker
// thread) within kSnapPx; Shift held does not snap. Every change is one undoable edit of the SessionDocument
// (a drag is one step).
class AutomationLane : public QWidget {
    Q_OBJECT
public:
    static constexpr double kSnapPx = 8.0;
    static constexpr double kPointRadiusPx = 5.0;

    explicit AutomationLane(SessionDocument* document, QWidget* parent = nullptr);
    ~AutomationLane() override;

    void setTarget(AutomationTarget target);
    AutomationTarget target() const { return target_; }
    QComboBox* targetBox() const { return targetBox_; }
    QWidget* laneView() const;

    // The song the lane spans and whose sections it snaps to: returns at once, the file is read on a worker
    // (sectionsReady when done). Empty clears.
    void setSongFile(const QString& mixPath);
    // For tests and callers that know them: the song's length and section boundaries (seconds).
    void setSong(double durationSeconds, std::vector<double> boundariesSeconds);
    double durationSeconds() const { return duration_; }
    const std::vector<double>& sectionBoundaries() const { return boundaries_; }

    // The lane's value range (dB -24..+24 for gain, 0..2 for width) and its mapping to the view.
    double minimumValue() const;
    double maximumValue() const;
    double xForSeconds(double seconds) const;
    double secondsAtX(double x) const;
    double yForValue(double value) const;
    double valueAtY(double y) const;
    // The time x lands on after snapping (when snap) to a section boundary within kSnapPx.
    double snappedSeconds(double x, bool snap) const;

    // The lane being edited (points of the target), as the document holds it.
    const core::AutomationLane& points() const;
    int selectedPoint() const { return selected_; }

signals:
    void sectionsReady();

private:
    class View;
    friend class View;
    struct Job;

    void rebuildTargets();
    core::AutomationLane* laneIn(core::Session& s) const;
    int pointAt(QPointF position) const;
    void pressAt(QPointF position, Qt::MouseButton button, Qt::KeyboardModifiers modifiers);
    void dragTo(QPointF position, Qt::KeyboardModifiers modifiers);
    void release();
    void deletePoint(int index);

    SessionDocument* document_;
    QComboBox* targetBox_ = nullptr;
    View* view_ = nullptr;
    AutomationTarget target_;
    QString songPath_;
    double duration_ = 0;
    std::vector<double> boundaries_;
    std::shared_ptr<Job> job_;
    int selected_ = -1;
    int dragging_ = -1;
};

} // namespace lathe::ui
