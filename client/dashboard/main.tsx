/** Entry of /dashboard: results, ranks, targets and progress for analysts (its own bundle, charts included). */
import { render } from "preact";
import "../common/styles.css";
import "./dashboard.css";
import { DashboardApp } from "./app.js";

render(<DashboardApp />, document.getElementById("app")!);
