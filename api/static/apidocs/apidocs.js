// Swagger UI over this service's own OpenAPI document, from the pinned swagger-ui-dist package.
// validatorUrl null: Swagger UI would otherwise send the document to validator.swagger.io.
window.addEventListener("DOMContentLoaded", function () {
  window.ui = SwaggerUIBundle({
    url: "/openapi.json",
    dom_id: "#swagger-ui",
    validatorUrl: null,
    deepLinking: false,  // its links sit inside the operation buttons: nested controls a keyboard or screen reader cannot use
    tryItOutEnabled: true,
    presets: [SwaggerUIBundle.presets.apis],
    layout: "BaseLayout",
  });
});
