// Package plugin is a Sloth SLO plugin (loaded by `sloth generate --plugins-path`, interpreted,
// never compiled into anything): it adds a low-traffic guard to each SLO's page alert.
//
// A burn rate is a ratio, so at a few requests a minute one failed request is already a large
// share of the short windows. The multiwindow alert's long window (1 h for the 14.4x page)
// dilutes it, but only down to about one request a minute; below that one error pages. This
// guard keeps the page until the SLO has seen at least `minBadEvents` bad events within
// `window`: an outage at night still pages (every request fails), a lone error never does.
// Tickets stay as Sloth makes them: they never wake anyone.
//
// @see https://sre.google/workbook/alerting-on-slos/ (Low-traffic services and error budget alerting)
package plugin

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"text/template"
	"time"

	"github.com/prometheus/common/model"

	pluginslov1 "github.com/slok/sloth/pkg/prometheus/plugin/slo/v1"
)

const (
	PluginVersion = "prometheus/slo/v1"
	PluginID      = "metrics-stack/page-min-bad-events/v1"
)

// Config: the page fires only with at least MinBadEvents bad events in the last Window.
type Config struct {
	MinBadEvents float64        `json:"minBadEvents"`
	Window       model.Duration `json:"window"`
}

func NewPlugin(configData json.RawMessage, _ pluginslov1.AppUtils) (pluginslov1.Plugin, error) {
	cfg := Config{}
	if err := json.Unmarshal(configData, &cfg); err != nil {
		return nil, fmt.Errorf("invalid plugin config: %w", err)
	}
	if cfg.MinBadEvents <= 0 || cfg.Window <= 0 {
		return nil, fmt.Errorf("minBadEvents and window must both be set and positive")
	}
	return plugin{config: cfg}, nil
}

type plugin struct {
	config Config
}

func (p plugin) ProcessSLO(_ context.Context, request *pluginslov1.Request, result *pluginslov1.Result) error {
	slo := request.SLO
	if slo.PageAlertMeta.Disable {
		return nil
	}
	// The bad events per second are the SLI's error query: only an events SLI has one.
	if slo.SLI.Events == nil {
		return fmt.Errorf("SLO %q: the page guard needs an events SLI (error_query and total_query)", slo.ID)
	}
	var errorQuery bytes.Buffer
	tpl, err := template.New("error_query").Option("missingkey=error").Parse(slo.SLI.Events.ErrorQuery)
	if err != nil {
		return fmt.Errorf("SLO %q: could not parse the error query: %w", slo.ID, err)
	}
	if err := tpl.Execute(&errorQuery, map[string]string{"window": p.config.Window.String()}); err != nil {
		return fmt.Errorf("SLO %q: could not render the error query: %w", slo.ID, err)
	}
	seconds := time.Duration(p.config.Window).Seconds()
	guard := fmt.Sprintf("and on ()\n(\n    (%s) * %g >= %g\n)\n", strings.ReplaceAll(strings.TrimSpace(errorQuery.String()), "\n", "\n     "), seconds, p.config.MinBadEvents)

	rules := result.SLORules.AlertRules.Rules
	for i := range rules {
		// Sloth gives the page and the ticket alert one name; the page is the one labelled so.
		if rules[i].Alert == slo.PageAlertMeta.Name && rules[i].Labels["sloth_severity"] == "page" {
			inner := "    " + strings.ReplaceAll(strings.TrimSpace(rules[i].Expr), "\n", "\n    ")
			rules[i].Expr = fmt.Sprintf("(\n%s\n)\n%s", inner, guard)
			return nil
		}
	}
	return fmt.Errorf("SLO %q: Sloth generated no page alert %q to guard", slo.ID, slo.PageAlertMeta.Name)
}
