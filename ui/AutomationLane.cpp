#include "AutomationLane.h"

#include "SessionDocument.h"

#include "core/analysis/SectionFinder.h"
#include "core/io/AudioFileReader.h"

#include <QComboBox>
#include <QHBoxLayout>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QThread>

#include <algorithm>
#include <atomic>
#include <cmath>

namespace lathe::ui {

struct AutomationLane::Job {
    std::atomic<bool> cancel{false};
    double duration = 0;
    std::vector<double> boundaries;
    QThread* thread = nullptr;
};

class AutomationLane::View : public QWidget {
public:
    explicit View(AutomationLane* lane) : QWidget(lane), lane_(lane) {
        setMinimumHeight(56);
        setSizePolicy(QSizePolicy::Expanding, QSizePolicy::Preferred);
        setFocusPolicy(Qt::ClickFocus);
    }

protected:
    void paintEvent(QPaintEvent*) override;
    void mousePressEvent(QMouseEvent* e) override {
        lane_->pressAt(e->position(), e->button(), e->modifiers());
    }
    void mouseMoveEvent(QMouseEvent* e) override { lane_->dragTo(e->position(), e->modifiers()); }
    void mouseReleaseEvent(QMouseEvent*) override { lane_->release(); }
    void mouseDoubleClickEvent(QMouseEvent* e) override {
        if (const int i = lane_->pointAt(e->position()); i >= 0) lane_->deletePoint(i);
    }
    void keyPressEvent(QKeyEvent* e) override {
        if ((e->key() == Qt::Key_Delete || e->key() == Qt::Key_Backspace) && lane_->selected_ >= 0)
            lane_->deletePoint(lane_->selected_);
        else
            QWidget::keyPressEvent(e);
    }

private:
    AutomationLane* lane_;
};

namespace {

// The mix folded to mono, block by block, into what findSections needs (0.1 s hop energies: a 30-minute song
// is never held whole). Throws core::Error naming the file.
core::SectionLevels readLevels(const QString& path, const std::atomic<bool>& cancel, int& rate) {
    core::AudioFileReader reader(path.toStdString());
    const auto& info = reader.info();
    rate = info.sampleRate;
    core::SectionLevels levels(std::max(rate, 1));
    constexpr int64_t kBlock = 65536;
    std::vector<std::vector<float>> storage(static_cast<size_t>(info.channels), std::vector<float>(kBlock));
    std::vector<float*> channels;
    for (auto& c : storage)
        channels.push_back(c.data());
    std::vector<float> mono(kBlock);
    while (!cancel.load(std::memory_order_relaxed)) {
        const int64_t got = reader.read(channels.data(), kBlock);
        if (got <= 0) break;
        for (int64_t i = 0; i < got; ++i) {
            float sum = 0;
            for (auto& c : storage)
                sum += c[static_cast<size_t>(i)];
            mono[static_cast<size_t>(i)] = sum / static_cast<float>(info.channels);
        }
        levels.add(mono.data(), got);
    }
    return levels;
}

} // namespace

AutomationLane::AutomationLane(SessionDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
    auto* layout = new QHBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    targetBox_ = new QComboBox(this);
    targetBox_->setToolTip(
        tr("The automation lane shown: a stem's gain or width ride, or the master's gain"));
    targetBox_->setSizeAdjustPolicy(QComboBox::AdjustToContents);
    view_ = new View(this);
    layout->addWidget(targetBox_, 0, Qt::AlignTop);
    layout->addWidget(view_, 1);
    connect(targetBox_, &QComboBox::currentIndexChanged, this, [this](int index) {
        if (index < 0) return;
        const QPoint data = targetBox_->itemData(index).toPoint();
        target_ = {data.x(), data.y() != 0};
        selected_ = -1;
        view_->update();
    });
    connect(document_, &SessionDocument::sessionChanged, this, [this] {
        rebuildTargets();
        view_->update();
    });
    rebuildTargets();
}

AutomationLane::~AutomationLane() {
    if (job_) {
        job_->cancel = true;
        if (job_->thread) job_->thread->wait();
    }
}

QWidget* AutomationLane::laneView() const {
    return view_;
}

void AutomationLane::rebuildTargets() {
    const QSignalBlocker block(targetBox_);
    targetBox_->clear();
    targetBox_->addItem(tr("Master · gain"), QPoint(-1, 0));
    if (document_->isOpen()) {
        const auto& stems = document_->session().stems;
        for (int i = 0; i < static_cast<int>(stems.size()); ++i) {
            const QString id = QString::fromStdString(stems[static_cast<size_t>(i)].id);
            targetBox_->addItem(tr("%1 · gain").arg(id), QPoint(i, 0));
            targetBox_->addItem(tr("%1 · width").arg(id), QPoint(i, 1));
        }
    }
    const int found = targetBox_->findData(QPoint(target_.stem, target_.width ? 1 : 0));
    if (found < 0) target_ = {};
    targetBox_->setCurrentIndex(std::max(found, 0));
}

void AutomationLane::setTarget(AutomationTarget target) {
    const int found = targetBox_->findData(QPoint(target.stem, target.width ? 1 : 0));
    if (found >= 0) targetBox_->setCurrentIndex(found);
}

void AutomationLane::setSongFile(const QString& mixPath) {
    if (mixPath == songPath_ && !mixPath.isEmpty()) return; // read already, or being read
    songPath_ = mixPath;
    if (job_) job_->cancel = true;
    job_.reset();
    if (mixPath.isEmpty()) {
        setSong(0, {});
        return;
    }
    auto job = std::make_shared<Job>();
    job_ = job;
    // As WaveformOverview: the thread holds the job, never this widget; its finished() hands the result over.
    job->thread = QThread::create([job, mixPath] {
        try {
            int rate = 0;
            const core::SectionLevels levels = readLevels(mixPath, job->cancel, rate);
            if (rate > 0 && !job->cancel) {
                job->duration = static_cast<double>(levels.frames()) / rate;
                const auto sections = core::findSections(levels);
                for (size_t i = 1; i < sections.size(); ++i)
                    job->boundaries.push_back(sections[i].startSeconds);
            }
        } catch (const std::exception&) {
            // No sections to snap to: the lane still edits, over what it spanned before.
        }
    });
    QThread* thread = job->thread;
    connect(thread, &QThread::finished, this, [this, job] {
        if (job_ != job || job->cancel) return;
        job_.reset();
        setSong(job->duration, job->boundaries);
    });
    connect(thread, &QThread::finished, thread, &QObject::deleteLater);
    thread->setObjectName(QStringLiteral("automation-sections"));
    thread->start(QThread::LowPriority);
}

void AutomationLane::setSong(double durationSeconds, std::vector<double> boundariesSeconds) {
    duration_ = std::max(durationSeconds, 0.0);
    boundaries_ = std::move(boundariesSeconds);
    view_->update();
    emit sectionsReady();
}

double AutomationLane::minimumValue() const {
    return target_.width ? 0.0 : -24.0;
}

double AutomationLane::maximumValue() const {
    return target_.width ? 2.0 : 24.0;
}

double AutomationLane::xForSeconds(double seconds) const {
    return duration_ > 0 ? seconds / duration_ * view_->width() : 0.0;
}

double AutomationLane::secondsAtX(double x) const {
    return duration_ > 0 ? std::clamp(x / std::max(view_->width(), 1), 0.0, 1.0) * duration_ : 0.0;
}

double AutomationLane::yForValue(double value) const {
    const double h = view_->height() - 2 * kPointRadiusPx;
    return kPointRadiusPx + (maximumValue() - value) / (maximumValue() - minimumValue()) * h;
}

double AutomationLane::valueAtY(double y) const {
    const double h = std::max(view_->height() - 2 * kPointRadiusPx, 1.0);
    const double v = maximumValue() - (y - kPointRadiusPx) / h * (maximumValue() - minimumValue());
    // Gains on a 0.1 dB grid, widths on 0.01: what an engineer types, and what reads back the same.
    const double step = target_.width ? 0.01 : 0.1;
    return std::clamp(std::round(v / step) * step, minimumValue(), maximumValue());
}

double AutomationLane::snappedSeconds(double x, bool snap) const {
    const double seconds = secondsAtX(x);
    if (!snap) return seconds;
    double best = seconds, bestDistance = kSnapPx;
    for (double b : boundaries_)
        if (const double d = std::abs(xForSeconds(b) - x); d <= bestDistance) {
            best = b;
            bestDistance = d;
        }
    return best;
}

core::AutomationLane* AutomationLane::laneIn(core::Session& s) const {
    if (target_.stem < 0) return &s.master.automation.gain_db;
    if (target_.stem >= static_cast<int>(s.stems.size())) return nullptr;
    auto& automation = s.stems[static_cast<size_t>(target_.stem)].automation;
    return target_.width ? &automation.width : &automation.gain_db;
}

const core::AutomationLane& AutomationLane::points() const {
    static const core::AutomationLane kNone;
    if (!document_->isOpen()) return kNone;
    const core::AutomationLane* lane = laneIn(const_cast<core::Session&>(document_->session()));
    return lane ? *lane : kNone;
}

int AutomationLane::pointAt(QPointF position) const {
    const auto& lane = points();
    for (int i = static_cast<int>(lane.size()) - 1; i >= 0; --i) {
        const auto& p = lane[static_cast<size_t>(i)];
        if (std::hypot(xForSeconds(p.time_s) - position.x(), yForValue(p.value) - position.y()) <=
            kPointRadiusPx + 2)
            return i;
    }
    return -1;
}

void AutomationLane::pressAt(QPointF position, Qt::MouseButton button, Qt::KeyboardModifiers modifiers) {
    if (!document_->isOpen() || duration_ <= 0) return;
    const int hit = pointAt(position);
    if (button == Qt::RightButton) {
        if (hit >= 0) deletePoint(hit);
        return;
    }
    if (button != Qt::LeftButton) return;
    if (hit >= 0) {
        selected_ = dragging_ = hit;
        view_->update();
        return;
    }
    const double t = snappedSeconds(position.x(), !(modifiers & Qt::ShiftModifier));
    const double v = valueAtY(position.y());
    int inserted = -1;
    const bool taken = document_->edit(tr("Add automation point"), [&](core::Session& s) {
        core::AutomationLane* lane = laneIn(s);
        if (!lane) return;
        // After any points at the same time, so a click on a step's time adds to its right side.
        auto at = std::upper_bound(lane->begin(), lane->end(), t,
                                   [](double time, const auto& p) { return time < p.time_s; });
        inserted = static_cast<int>(at - lane->begin());
        lane->insert(at, {t, v});
    });
    if (taken) selected_ = dragging_ = inserted;
    view_->update();
}

void AutomationLane::dragTo(QPointF position, Qt::KeyboardModifiers modifiers) {
    if (dragging_ < 0) return;
    const int index = dragging_;
    const double wanted = snappedSeconds(position.x(), !(modifiers & Qt::ShiftModifier));
    const double v = valueAtY(position.y());
    document_->edit(
        tr("Move automation point"),
        [&](core::Session& s) {
            core::AutomationLane* lane = laneIn(s);
            if (!lane || index >= static_cast<int>(lane->size())) return;
            // A point stays between its neighbours: the lane keeps its order, so a drag never reorders it.
            const double lo = index > 0 ? (*lane)[static_cast<size_t>(index - 1)].time_s : 0.0;
            const double hi = index + 1 < static_cast<int>(lane->size())
                                  ? (*lane)[static_cast<size_t>(index + 1)].time_s
                                  : std::max(duration_, wanted);
            (*lane)[static_cast<size_t>(index)] = {std::clamp(wanted, lo, hi), v};
        },
        QStringLiteral("automation-drag/%1").arg(document_->gesture()));
}

void AutomationLane::release() {
    if (dragging_ >= 0) document_->endEditGesture();
    dragging_ = -1;
}

void AutomationLane::deletePoint(int index) {
    document_->edit(tr("Delete automation point"), [&](core::Session& s) {
        core::AutomationLane* lane = laneIn(s);
        if (lane && index < static_cast<int>(lane->size())) lane->erase(lane->begin() + index);
    });
    selected_ = dragging_ = -1;
    view_->update();
}

void AutomationLane::View::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.setRenderHint(QPainter::Antialiasing);
    p.fillRect(rect(), palette().base());
    const AutomationLane& lane = *lane_;
    // Section boundaries, where points snap.
    p.setPen(QPen(palette().mid().color(), 1, Qt::DashLine));
    for (double b : lane.boundaries_)
        p.drawLine(QPointF(lane.xForSeconds(b), 0), QPointF(lane.xForSeconds(b), height()));
    // The neutral value (0 dB, width 1).
    const double neutral = lane.target_.width ? 1.0 : 0.0;
    p.setPen(QPen(palette().midlight().color(), 1));
    p.drawLine(QPointF(0, lane.yForValue(neutral)), QPointF(width(), lane.yForValue(neutral)));
    const auto& points = lane.points();
    if (points.empty()) {
        p.setPen(palette().placeholderText().color());
        p.drawText(rect(), Qt::AlignCenter, tr("Click to add a point"));
        return;
    }
    // Held before the first and after the last point, linear between.
    QPainterPath path;
    path.moveTo(0, lane.yForValue(points.front().value));
    for (const auto& point : points)
        path.lineTo(lane.xForSeconds(point.time_s), lane.yForValue(point.value));
    path.lineTo(width(), lane.yForValue(points.back().value));
    p.setPen(QPen(palette().highlight().color(), 2));
    p.drawPath(path);
    for (int i = 0; i < static_cast<int>(points.size()); ++i) {
        const auto& point = points[static_cast<size_t>(i)];
        p.setBrush(i == lane.selected_ ? palette().highlight() : palette().button());
        p.drawEllipse(QPointF(lane.xForSeconds(point.time_s), lane.yForValue(point.value)), kPointRadiusPx,
                      kPointRadiusPx);
    }
}

} // namespace lathe::ui
