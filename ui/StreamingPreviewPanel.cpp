#include "StreamingPreviewPanel.h"

#include <QHeaderView>
#include <QLabel>
#include <QTableWidget>
#include <QVBoxLayout>

#include <algorithm>
#include <cmath>

namespace lathe::ui {

const std::vector<StreamingPlatform>& streamingPlatforms() {
    static const std::vector<StreamingPlatform> platforms = {
        {QStringLiteral("Spotify"), -14.0, true, -1.0},
        {QStringLiteral("Apple Music"), -16.0, true, -1.0},
        {QStringLiteral("YouTube"), -14.0, false, -1.0},
        {QStringLiteral("Tidal"), -14.0, false, -1.0},
        {QStringLiteral("Amazon Music"), -14.0, false, -1.0},
        {QStringLiteral("Deezer"), -15.0, false, -1.0},
    };
    return platforms;
}

StreamingOutcome streamingOutcome(const StreamingPlatform& platform, double integratedLufs,
                                  double truePeakDbtp) {
    const double gap = platform.referenceLufs - integratedLufs;
    double gain = 0.0;
    if (gap <= 0.0)
        gain = gap;
    else if (platform.turnsUp)
        gain = std::min(gap, std::max(0.0, platform.upwardPeakLimitDbtp - truePeakDbtp));
    return {gain, integratedLufs + gain, truePeakDbtp + gain};
}

namespace {

QString signedDb(double db) {
    // -0.0 would read as a turn-down that is not there.
    if (std::abs(db) < 0.05) return QStringLiteral("0.0 dB");
    return QStringLiteral("%1%2 dB").arg(db > 0 ? QStringLiteral("+") : QString()).arg(db, 0, 'f', 1);
}

} // namespace

StreamingPreviewPanel::StreamingPreviewPanel(QWidget* parent) : QWidget(parent) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    layout->setSpacing(4);
    table_ = new QTableWidget(int(streamingPlatforms().size()), 4, this);
    table_->setHorizontalHeaderLabels({tr("Platform"), tr("Reference"), tr("Gain"), tr("Peak")});
    table_->verticalHeader()->hide();
    table_->setEditTriggers(QAbstractItemView::NoEditTriggers);
    table_->setSelectionMode(QAbstractItemView::NoSelection);
    table_->setFocusPolicy(Qt::NoFocus);
    table_->setShowGrid(false);
    table_->setAlternatingRowColors(true);
    table_->horizontalHeader()->setSectionResizeMode(0, QHeaderView::Stretch);
    for (int c = 1; c < 4; ++c)
        table_->horizontalHeader()->setSectionResizeMode(c, QHeaderView::ResizeToContents);
    table_->verticalHeader()->setDefaultSectionSize(fontMetrics().height() + 6);
    // The figures' columns fit their text; the platform's name takes the rest (elided when the meters dock
    // is at its narrowest). A minimum as wide as "-00.0 dBTP" for every column cut the peak column off.
    table_->horizontalHeader()->setMinimumSectionSize(
        fontMetrics().horizontalAdvance(QStringLiteral("Gain")) + 12);
    table_->setHorizontalScrollBarPolicy(Qt::ScrollBarAlwaysOff);
    for (int row = 0; row < table_->rowCount(); ++row) {
        const auto& platform = streamingPlatforms()[std::size_t(row)];
        auto* name = new QTableWidgetItem(platform.name);
        name->setToolTip(platform.turnsUp
                             ? tr("Turns loud masters down and quiet ones up (only as far as the true "
                                  "peak stays at %1 dBTP)")
                                   .arg(platform.upwardPeakLimitDbtp, 0, 'f', 1)
                             : tr("Turns loud masters down; never turns quiet ones up"));
        table_->setItem(row, 0, name);
        auto* reference =
            new QTableWidgetItem(QStringLiteral("%1 LUFS").arg(platform.referenceLufs, 0, 'f', 0));
        reference->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
        table_->setItem(row, 1, reference);
        for (int c = 2; c < 4; ++c) {
            auto* item = new QTableWidgetItem(QStringLiteral("\u2013"));
            item->setTextAlignment(Qt::AlignRight | Qt::AlignVCenter);
            table_->setItem(row, c, item);
        }
    }
    const int rowsHeight = table_->verticalHeader()->defaultSectionSize() * table_->rowCount();
    table_->setMinimumHeight(rowsHeight + table_->horizontalHeader()->sizeHint().height() + 4);
    layout->addWidget(table_);
    auto* note =
        new QLabel(tr("Gain each service applies at its default setting, and the peak as played."), this);
    note->setWordWrap(true);
    note->setForegroundRole(QPalette::PlaceholderText);
    layout->addWidget(note);
}

void StreamingPreviewPanel::setMeasurement(double integratedLufs, double truePeakDbtp) {
    hasMeasurement_ = std::isfinite(integratedLufs) && integratedLufs > -150.0 && std::isfinite(truePeakDbtp);
    integratedLufs_ = integratedLufs;
    truePeakDbtp_ = truePeakDbtp;
    refresh();
}

void StreamingPreviewPanel::refresh() {
    outcomes_.clear();
    const auto& platforms = streamingPlatforms();
    for (int row = 0; row < int(platforms.size()); ++row) {
        auto* gainItem = table_->item(row, 2);
        auto* peakItem = table_->item(row, 3);
        if (!hasMeasurement_) {
            gainItem->setText(QStringLiteral("\u2013"));
            peakItem->setText(QStringLiteral("\u2013"));
            peakItem->setData(Qt::ForegroundRole, QVariant());
            continue;
        }
        const auto outcome = streamingOutcome(platforms[std::size_t(row)], integratedLufs_, truePeakDbtp_);
        outcomes_.push_back(outcome);
        gainItem->setText(signedDb(outcome.gainDb));
        peakItem->setText(QStringLiteral("%1 dBTP").arg(outcome.resultingPeakDbtp, 0, 'f', 1));
        if (outcome.resultingPeakDbtp > 0.0)
            peakItem->setForeground(QColor(0xff, 0x4d, 0x4d));
        else
            peakItem->setData(Qt::ForegroundRole, QVariant());
    }
}

} // namespace lathe::ui
