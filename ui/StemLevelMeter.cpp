#include "StemLevelMeter.h"

#include "Theme.h"

#include <QPainter>

#include <algorithm>
#include <cmath>

namespace lathe::ui {

StemLevelMeter::StemLevelMeter(QWidget* parent) : QWidget(parent) {
    setObjectName(QStringLiteral("stemLevelMeter"));
    setSizePolicy(QSizePolicy::Fixed, QSizePolicy::Expanding);
    setFixedWidth(10);
}

void StemLevelMeter::setLevels(double peakDbfs, double rmsDbfs) {
    if (peakDbfs == peakDbfs_ && rmsDbfs == rmsDbfs_) return;
    peakDbfs_ = peakDbfs;
    rmsDbfs_ = rmsDbfs;
    update();
}

void StemLevelMeter::clear() {
    setLevels(-200, -200);
}

int StemLevelMeter::yForDbfs(double dbfs) const {
    const double f = std::clamp((dbfs - kFloorDbfs) / -kFloorDbfs, 0.0, 1.0);
    return static_cast<int>(std::lround((1.0 - f) * (height() - 1)));
}

void StemLevelMeter::paintEvent(QPaintEvent*) {
    QPainter p(this);
    p.fillRect(rect(), QColor(0x18, 0x1a, 0x1c));
    if (rmsDbfs_ > kFloorDbfs) {
        const int top = yForDbfs(rmsDbfs_);
        p.fillRect(QRect(1, top, width() - 2, height() - top), theme::accent());
    }
    if (peakDbfs_ > kFloorDbfs) {
        const int y = yForDbfs(peakDbfs_);
        p.fillRect(QRect(0, y, width(), 2), peakDbfs_ > -1.0 ? theme::warning() : theme::text());
    }
}

} // namespace lathe::ui
