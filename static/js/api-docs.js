// Starts Swagger UI (/docs) or ReDoc (/redoc) from this origin, so the CSP needs no inline script.
// The bundles are classic scripts that define SwaggerUIBundle and Redoc; this one runs after them.
const { ui, openapiUrl } = document.body.dataset;
const root = document.getElementById("api-docs");
const dark = window.matchMedia("(prefers-color-scheme: dark)");

if (ui === "swagger") {
  window.ui = SwaggerUIBundle({
    url: openapiUrl,
    domNode: root,
    layout: "BaseLayout",
    deepLinking: true,
    showExtensions: true,
    showCommonExtensions: true,
    presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
  });
} else {
  // ReDoc themes itself from options, not CSS: pick the dark palette when the OS is dark.
  const theme = dark.matches
    ? {
        colors: {
          primary: { main: "#7aa7ff" },
          text: { primary: "#e6e9f0", secondary: "#a3abbb" },
          border: { dark: "#323846", light: "#2a303c" },
        },
        sidebar: { backgroundColor: "#1a1e27", textColor: "#e6e9f0" },
        rightPanel: { backgroundColor: "#0b0e14" },
        typography: { code: { backgroundColor: "#1a1e27", color: "#e6e9f0" } },
      }
    : {};
  Redoc.init(openapiUrl, { theme }, root);
  dark.addEventListener("change", () => window.location.reload());
}
