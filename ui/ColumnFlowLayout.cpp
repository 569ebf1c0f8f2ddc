#include "ColumnFlowLayout.h"

#include <QWidget>

#include <algorithm>
#include <climits>

namespace lathe::ui {

ColumnFlowLayout::ColumnFlowLayout(QWidget* parent, int minColumnWidth, int maxColumns)
    : QLayout(parent), minColumnWidth_(std::max(1, minColumnWidth)), maxColumns_(std::max(1, maxColumns)) {}

ColumnFlowLayout::~ColumnFlowLayout() {
    while (QLayoutItem* item = takeAt(0))
        delete item;
}

void ColumnFlowLayout::addItem(QLayoutItem* item) {
    items_.append(item);
    invalidate();
}

QLayoutItem* ColumnFlowLayout::itemAt(int index) const {
    return index >= 0 && index < items_.size() ? items_.at(index) : nullptr;
}

QLayoutItem* ColumnFlowLayout::takeAt(int index) {
    if (index < 0 || index >= items_.size()) return nullptr;
    QLayoutItem* item = items_.takeAt(index);
    invalidate();
    return item;
}

void ColumnFlowLayout::invalidate() {
    cachedWidth_ = -1;
    cachedHeight_ = -1;
    QLayout::invalidate();
}

int ColumnFlowLayout::columnsFor(int width) const {
    const QMargins m = contentsMargins();
    const int contents = width - m.left() - m.right();
    const int gap = std::max(0, spacing());
    return std::clamp((contents + gap) / (minColumnWidth_ + gap), 1, maxColumns_);
}

ColumnFlowLayout::Plan ColumnFlowLayout::plan(int contentsWidth) const {
    Plan p;
    for (QLayoutItem* item : items_)
        if (!item->isEmpty()) p.items.push_back(item);
    const int n = static_cast<int>(p.items.size());
    const int gap = std::max(0, spacing());
    const QMargins m = contentsMargins();
    p.columns = std::max(1, std::min(columnsFor(contentsWidth + m.left() + m.right()), n));
    p.columnWidth = std::max(1, (contentsWidth - (p.columns - 1) * gap) / p.columns);
    for (QLayoutItem* item : p.items) {
        const int h =
            item->hasHeightForWidth() ? item->heightForWidth(p.columnWidth) : item->sizeHint().height();
        p.heights.push_back(std::max(h, item->minimumSize().height()));
    }
    p.columnOf.assign(static_cast<size_t>(n), 0);
    if (n == 0) return p;

    // Cut the sequence into `columns` runs so the tallest run is shortest (a few items: every cut is tried by
    // a small dynamic programme). run(a, b): items a..b-1 stacked with their gaps.
    std::vector<int> prefix(static_cast<size_t>(n) + 1, 0);
    for (int i = 0; i < n; ++i)
        prefix[static_cast<size_t>(i) + 1] =
            prefix[static_cast<size_t>(i)] + p.heights[static_cast<size_t>(i)];
    auto run = [&](int a, int b) {
        return prefix[static_cast<size_t>(b)] - prefix[static_cast<size_t>(a)] + (b - a - 1) * gap;
    };
    const int c = p.columns;
    // best[k][i]: the tallest column when the first i items fill k columns; cut[k][i]: where the k-th starts.
    std::vector<std::vector<int>> best(static_cast<size_t>(c) + 1,
                                       std::vector<int>(static_cast<size_t>(n) + 1, INT_MAX));
    std::vector<std::vector<int>> cut(static_cast<size_t>(c) + 1,
                                      std::vector<int>(static_cast<size_t>(n) + 1, 0));
    best[0][0] = 0;
    for (int k = 1; k <= c; ++k)
        for (int i = k; i <= n; ++i)
            for (int j = k - 1; j < i; ++j) {
                const int prev = best[static_cast<size_t>(k) - 1][static_cast<size_t>(j)];
                if (prev == INT_MAX) continue;
                const int tallest = std::max(prev, run(j, i));
                if (tallest < best[static_cast<size_t>(k)][static_cast<size_t>(i)]) {
                    best[static_cast<size_t>(k)][static_cast<size_t>(i)] = tallest;
                    cut[static_cast<size_t>(k)][static_cast<size_t>(i)] = j;
                }
            }
    p.height = best[static_cast<size_t>(c)][static_cast<size_t>(n)];
    for (int k = c, i = n; k > 0; --k) {
        const int start = cut[static_cast<size_t>(k)][static_cast<size_t>(i)];
        for (int j = start; j < i; ++j)
            p.columnOf[static_cast<size_t>(j)] = k - 1;
        i = start;
    }
    return p;
}

int ColumnFlowLayout::heightForWidth(int width) const {
    if (width == cachedWidth_) return cachedHeight_;
    const QMargins m = contentsMargins();
    cachedWidth_ = width;
    cachedHeight_ = plan(width - m.left() - m.right()).height + m.top() + m.bottom();
    return cachedHeight_;
}

QSize ColumnFlowLayout::minimumSize() const {
    QSize size(0, 0);
    for (QLayoutItem* item : items_)
        if (!item->isEmpty()) size = size.expandedTo(item->minimumSize());
    const QMargins m = contentsMargins();
    return size + QSize(m.left() + m.right(), m.top() + m.bottom());
}

QSize ColumnFlowLayout::sizeHint() const {
    const QMargins m = contentsMargins();
    const int width =
        std::max(minColumnWidth_, minimumSize().width() - m.left() - m.right()) + m.left() + m.right();
    return {width, heightForWidth(width)};
}

void ColumnFlowLayout::setGeometry(const QRect& rect) {
    QLayout::setGeometry(rect);
    const QRect area = rect.marginsRemoved(contentsMargins());
    const Plan p = plan(area.width());
    laidOutColumns_ = p.columns;
    const int gap = std::max(0, spacing());
    const int n = static_cast<int>(p.items.size());
    for (int column = 0; column < p.columns; ++column) {
        std::vector<int> members;
        int used = 0;
        for (int i = 0; i < n; ++i)
            if (p.columnOf[static_cast<size_t>(i)] == column) {
                used += p.heights[static_cast<size_t>(i)] + (members.empty() ? 0 : gap);
                members.push_back(i);
            }
        int expanders = 0;
        for (int i : members)
            if (p.items[static_cast<size_t>(i)]->expandingDirections() & Qt::Vertical) ++expanders;
        const int spare = std::max(0, area.height() - used);
        const int x = area.x() + column * (p.columnWidth + gap);
        const int width = column == p.columns - 1 ? area.right() + 1 - x : p.columnWidth;
        int y = area.y();
        int shared = 0;
        for (int i : members) {
            QLayoutItem* item = p.items[static_cast<size_t>(i)];
            int h = p.heights[static_cast<size_t>(i)];
            if (expanders > 0 && (item->expandingDirections() & Qt::Vertical)) {
                // The last expander takes the rounding remainder.
                const int share =
                    ++shared == expanders ? spare - (spare / expanders) * (expanders - 1) : spare / expanders;
                h = std::min(h + share, std::max(h, item->maximumSize().height()));
            }
            item->setGeometry(QRect(x, y, width, h));
            y += h + gap;
        }
    }
}

} // namespace lathe::ui
