"""Plotly figures in the theme's colours. Figures take frames with already-translated
labels; they never see raw user text as HTML (Plotly escapes text it draws)."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

PRIMARY = "#1f6feb"
SECOND = "#f59e0b"
THIRD = "#10b981"
TARGET = "#dc2626"
GREY = "#6b7280"
PARTS = ("#1f6feb", "#f59e0b", "#10b981")


def _layout(fig: go.Figure, y_title: str = "", y_percent: bool = False, height: int = 340) -> go.Figure:
    fig.update_layout(height=height, margin=dict(l=10, r=10, t=30, b=10), legend=dict(orientation="h", y=1.12),
                      hovermode="x unified")
    fig.update_yaxes(title_text=y_title, tickformat=".0%" if y_percent else None, rangemode="tozero")
    return fig


def rate_trend(df: pd.DataFrame, x: str, series: dict[str, str], targets: dict[str, float | None],
               target_label: str, y_title: str) -> go.Figure:
    """Lines of rates (fractions) with dashed target lines."""
    fig = go.Figure()
    colours = [PRIMARY, SECOND, THIRD]
    for (col, label), colour in zip(series.items(), colours):
        fig.add_trace(go.Scatter(x=df[x], y=df[col], name=label, mode="lines+markers",
                                 line=dict(color=colour, width=2), hovertemplate="%{y:.1%}"))
        target = targets.get(col)
        if target is not None:
            fig.add_hline(y=target, line=dict(color=colour, dash="dash", width=1),
                          annotation_text=f"{label} {target_label} {target:.0%}", annotation_position="bottom right")
    return _layout(fig, y_title, y_percent=True)


def heatmap(df: pd.DataFrame, x_labels: list[str], y_labels: list[str], z: list[list], hover_calls: list[list],
            z_label: str, calls_label: str) -> go.Figure:
    fig = go.Figure(go.Heatmap(
        z=z, x=x_labels, y=y_labels, customdata=hover_calls, colorscale="RdYlGn", zmin=0.4, zmax=1.0,
        colorbar=dict(title=z_label, tickformat=".0%"),
        hovertemplate="%{y} %{x}:00<br>" + z_label + " %{z:.1%}<br>" + calls_label + " %{customdata:,}<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    return _layout(fig, height=320).update_layout(hovermode="closest")


def stacked_parts(df: pd.DataFrame, x: str, parts: dict[str, str], target: float | None, target_label: str,
                  y_title: str) -> go.Figure:
    fig = go.Figure()
    for (col, label), colour in zip(parts.items(), PARTS):
        fig.add_trace(go.Bar(x=df[x], y=df[col], name=label, marker_color=colour, hovertemplate="%{y:.0f}"))
    fig.update_layout(barmode="stack")
    if target is not None:
        fig.add_hline(y=target, line=dict(color=TARGET, dash="dash"), annotation_text=target_label)
    return _layout(fig, y_title)


def histogram(df: pd.DataFrame, x: str, y: str, colour_col: str, labels: dict[str, str], vline: float,
              vline_label: str, x_title: str, y_title: str) -> go.Figure:
    fig = go.Figure()
    for (value, label), colour in zip(labels.items(), PARTS):
        part = df[df[colour_col] == value]
        if part.empty:
            continue
        fig.add_trace(go.Bar(x=part[x] + 15, y=part[y], name=label, marker_color=colour, width=28,
                             hovertemplate="%{x:.0f} s: %{y:,}"))
    fig.update_layout(barmode="stack")
    fig.add_vline(x=vline, line=dict(color=TARGET, dash="dash"), annotation_text=vline_label)
    fig.update_xaxes(title_text=x_title)
    return _layout(fig, y_title).update_layout(hovermode="closest")


def bars_with_target(df: pd.DataFrame, x: str, y: str, target: float | None, target_label: str,
                     y_title: str) -> go.Figure:
    colours = [THIRD if (target is None or v >= target) else SECOND for v in df[y].fillna(0)]
    fig = go.Figure(go.Bar(x=df[x], y=df[y], marker_color=colours, hovertemplate="%{x}: %{y:.1f}<extra></extra>"))
    if target is not None:
        fig.add_hline(y=target, line=dict(color=TARGET, dash="dash"), annotation_text=target_label)
    return _layout(fig, y_title).update_layout(hovermode="closest")


def intervals(df: pd.DataFrame, x: str, offered_label: str, sl_label: str, staffed_label: str,
              sl_target: float | None) -> go.Figure:
    """One day's intervals: offered calls (bars), service level (line, right axis), agents staffed."""
    fig = go.Figure()
    fig.add_trace(go.Bar(x=df[x], y=df["offered"], name=offered_label, marker_color="#93c5fd", yaxis="y"))
    fig.add_trace(go.Scatter(x=df[x], y=df["staffed_agents"], name=staffed_label, mode="lines",
                             line=dict(color=GREY, dash="dot"), yaxis="y"))
    fig.add_trace(go.Scatter(x=df[x], y=df["service_level"], name=sl_label, mode="lines+markers",
                             line=dict(color=PRIMARY, width=2), yaxis="y2", hovertemplate="%{y:.1%}"))
    if sl_target is not None and len(df):
        fig.add_trace(go.Scatter(x=[df[x].min(), df[x].max()], y=[sl_target, sl_target], mode="lines",
                                 line=dict(color=TARGET, dash="dash", width=1), yaxis="y2", showlegend=False,
                                 hoverinfo="skip"))
    fig = _layout(fig)
    # After _layout, whose update_yaxes would otherwise reset the right axis too.
    fig.update_layout(yaxis2=dict(overlaying="y", side="right", tickformat=".0%", range=[0, 1.05], dtick=0.2,
                                  showgrid=False, rangemode="normal"))
    return fig
