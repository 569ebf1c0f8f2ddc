#include "DynamicEqEditor.h"

#include "GainReductionMeter.h"
#include "SessionDocument.h"

#include <QCheckBox>
#include <QComboBox>
#include <QDoubleSpinBox>
#include <QGridLayout>
#include <QHBoxLayout>
#include <QLabel>
#include <QPushButton>
#include <QVBoxLayout>

namespace lathe::ui {

namespace {

std::vector<core::DynamicEqBandSettings>* bandsOf(core::Session& s, int stem) {
    if (stem < 0) return &s.master.dynamic_eq;
    if (stem >= static_cast<int>(s.stems.size())) return nullptr;
    return &s.stems[static_cast<size_t>(stem)].dynamic_eq;
}

// A band of the session, or a scratch band when it is gone (a row outliving an undo until it is rebuilt:
// writing to it changes nothing, so the edit is dropped).
core::DynamicEqBandSettings& bandOf(core::Session& s, int stem, int band) {
    thread_local core::DynamicEqBandSettings scratch;
    auto* bands = bandsOf(s, stem);
    if (!bands || band >= static_cast<int>(bands->size())) {
        scratch = {};
        return scratch;
    }
    return (*bands)[static_cast<size_t>(band)];
}

QDoubleSpinBox* spin(QWidget* parent, double lo, double hi, int decimals, const QString& suffix) {
    auto* box = new QDoubleSpinBox(parent);
    box->setRange(lo, hi);
    box->setDecimals(decimals);
    box->setSuffix(suffix);
    box->setKeyboardTracking(false);
    return box;
}

QComboBox* choice(QWidget* parent, const QStringList& values) {
    auto* box = new QComboBox(parent);
    for (const QString& v : values)
        box->addItem(v, v);
    return box;
}

} // namespace

DynamicEqEditor::DynamicEqEditor(SessionDocument* document, QWidget* parent)
    : QWidget(parent), document_(document) {
    auto* layout = new QVBoxLayout(this);
    layout->setContentsMargins(0, 0, 0, 0);
    rows_ = new QWidget(this);
    grid_ = new QGridLayout(rows_);
    grid_->setContentsMargins(0, 0, 0, 0);
    layout->addWidget(rows_);
    auto* buttons = new QHBoxLayout;
    add_ = new QPushButton(tr("Add band"), this);
    remove_ = new QPushButton(tr("Remove band"), this);
    add_->setToolTip(tr("A bell at 1 kHz cutting above -24 dB at 2:1, up to 6 dB; tune it from there"));
    buttons->addWidget(add_);
    buttons->addWidget(remove_);
    buttons->addStretch(1);
    layout->addLayout(buttons);
    connect(add_, &QPushButton::clicked, this, [this] {
        document_->edit(tr("Add dynamic EQ band"), [this](core::Session& s) {
            auto* bands = bandsOf(s, stem_);
            if (bands && bands->size() < static_cast<size_t>(core::kMaxDynamicEqBands)) bands->emplace_back();
        });
    });
    connect(remove_, &QPushButton::clicked, this, [this] {
        document_->edit(tr("Remove dynamic EQ band"), [this](core::Session& s) {
            auto* bands = bandsOf(s, stem_);
            if (bands && !bands->empty()) bands->pop_back();
        });
    });
    // Rebuilt before the rows' own bindings refresh (connected first), so no row reads a band that is gone.
    connect(document_, &SessionDocument::sessionChanged, this, &DynamicEqEditor::rebuild);
    rebuild();
}

void DynamicEqEditor::setStem(int stem) {
    stem_ = stem;
    rebuild();
}

QString DynamicEqEditor::shapeSignature() const {
    if (!document_->isOpen()) return {};
    core::Session copy = document_->session();
    auto* bands = bandsOf(copy, stem_);
    QString signature = QStringLiteral("%1/%2").arg(stem_).arg(bands ? static_cast<int>(bands->size()) : -1);
    if (stem_ >= 0)
        for (const auto& stem : copy.stems)
            signature += QLatin1Char('/') + QString::fromStdString(stem.id);
    return signature;
}

void DynamicEqEditor::rebuild() {
    const QString signature = shapeSignature();
    if (signature == built_) return;
    built_ = signature;
    while (QLayoutItem* item = grid_->takeAt(0)) {
        if (QWidget* w = item->widget()) w->deleteLater();
        delete item;
    }
    meters_.clear();
    shown_.clear();
    if (!document_->isOpen()) return;
    core::Session copy = document_->session();
    auto* bands = bandsOf(copy, stem_);
    const int count = bands ? static_cast<int>(bands->size()) : 0;
    add_->setEnabled(bands && count < core::kMaxDynamicEqBands);
    remove_->setEnabled(count > 0);
    const QStringList headers{tr("On"),    tr("Shape"),  tr("Freq"), tr("Q"),     tr("Thresh"),
                              tr("Ratio"), tr("Att"),    tr("Rel"),  tr("Range"), tr("Mode"),
                              tr("Part"),  tr("Listen"), tr("Key"),  tr("Gain")};
    for (int c = 0; c < headers.size(); ++c)
        if (c != 12 || stem_ >= 0) grid_->addWidget(new QLabel(headers[c], rows_), 0, c);
    QStringList keys{QStringLiteral("self")};
    if (stem_ >= 0)
        for (int i = 0; i < static_cast<int>(copy.stems.size()); ++i)
            if (i != stem_) keys << QString::fromStdString(copy.stems[static_cast<size_t>(i)].id);
    for (int b = 0; b < count; ++b) {
        const int stem = stem_;
        const int row = b + 1;
        const QString band = tr("Dynamic EQ band %1").arg(b + 1);
        auto number = [&](int column, const QString& name, double lo, double hi, int decimals,
                          const QString& unit, double core::DynamicEqBandSettings::*field) {
            auto* box = spin(rows_, lo, hi, decimals, unit);
            box->setObjectName(name);
            bindNumber(
                document_, box,
                [stem, b, field](core::Session& s) -> double& { return bandOf(s, stem, b).*field; },
                band + QLatin1Char(' ') + name);
            grid_->addWidget(box, row, column);
        };
        auto text = [&](int column, const QString& name, const QStringList& values,
                        std::string core::DynamicEqBandSettings::*field) {
            auto* box = choice(rows_, values);
            box->setObjectName(name);
            bindText(
                document_, box,
                [stem, b, field](core::Session& s) -> std::string& { return bandOf(s, stem, b).*field; },
                band + QLatin1Char(' ') + name);
            grid_->addWidget(box, row, column);
        };
        auto flag = [&](int column, const QString& name, bool core::DynamicEqBandSettings::*field) {
            auto* box = new QCheckBox(rows_);
            box->setObjectName(name);
            bindFlag(
                document_, box,
                [stem, b, field](core::Session& s) -> bool& { return bandOf(s, stem, b).*field; },
                band + QLatin1Char(' ') + name);
            grid_->addWidget(box, row, column);
        };
        using B = core::DynamicEqBandSettings;
        flag(0, QStringLiteral("enabled"), &B::enabled);
        text(1, QStringLiteral("shape"), {"bell", "low_shelf", "high_shelf"}, &B::shape);
        number(2, QStringLiteral("frequency"), 10, 20000, 0, tr(" Hz"), &B::frequency_hz);
        number(3, QStringLiteral("q"), 0.1, 40, 2, {}, &B::q);
        number(4, QStringLiteral("threshold"), -96, 0, 1, tr(" dB"), &B::threshold_db);
        number(5, QStringLiteral("ratio"), 1, 100, 1, tr(":1"), &B::ratio);
        number(6, QStringLiteral("attack"), 0.01, 1000, 2, tr(" ms"), &B::attack_ms);
        number(7, QStringLiteral("release"), 1, 10000, 0, tr(" ms"), &B::release_ms);
        number(8, QStringLiteral("range"), 0, 48, 1, tr(" dB"), &B::range_db);
        text(9, QStringLiteral("mode"), {"cut_above", "boost_below"}, &B::mode);
        text(10, QStringLiteral("channel"), {"stereo", "mid", "side"}, &B::channel);
        flag(11, QStringLiteral("listen"), &B::listen);
        if (stem_ >= 0) {
            // The sidechain source: the stem whose source the band's detector hears.
            text(12, QStringLiteral("key"), keys, &B::key);
        }
        auto* meter = new GainReductionMeter(Qt::Horizontal, rows_);
        meter->setObjectName(QStringLiteral("gain"));
        meter->setRangeDb(std::max(6.0, (*bands)[static_cast<size_t>(b)].range_db));
        meter->setMinimumWidth(60);
        grid_->addWidget(meter, row, 13);
        meters_.push_back(meter);
        shown_.push_back(0.0);
    }
}

QWidget* DynamicEqEditor::control(int band, const QString& name) const {
    for (QWidget* w : rows_->findChildren<QWidget*>(name)) {
        int row = 0, column = 0, rowSpan = 0, columnSpan = 0;
        const int index = grid_->indexOf(w);
        if (index < 0) continue;
        grid_->getItemPosition(index, &row, &column, &rowSpan, &columnSpan);
        if (row == band + 1) return w;
    }
    return nullptr;
}

void DynamicEqEditor::setBandGainsDb(const float* gainsDb, int count) {
    for (int b = 0; b < static_cast<int>(meters_.size()); ++b) {
        shown_[static_cast<size_t>(b)] = b < count ? gainsDb[b] : 0.0;
        meters_[static_cast<size_t>(b)]->setGainReductionDb(std::abs(shown_[static_cast<size_t>(b)]));
    }
}

double DynamicEqEditor::shownGainDb(int band) const {
    return band < static_cast<int>(shown_.size()) ? shown_[static_cast<size_t>(band)] : 0.0;
}

} // namespace lathe::ui
