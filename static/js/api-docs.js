// Starts Swagger UI on the API docs page (kept in a file so the page needs no inline script).
// validatorUrl: null — by default Swagger UI sends the spec's address to validator.swagger.io and shows its
// badge: an outside request the page must not make (and the CSP would block).
(function () {
  var root = document.getElementById("swagger-ui");
  window.SwaggerUIBundle({ url: root.dataset.specUrl, domNode: root, deepLinking: true, validatorUrl: null });
})();
