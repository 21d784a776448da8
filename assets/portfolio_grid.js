/*
 * Portfolio page: the client grid's refresh after a change of group A's filters.
 *
 * The grid keeps its rows on the server (AG Grid's infinite row model, app/components/portfolio_grid.py):
 * it only asks for a block when it has none. When the filters change, its cached blocks describe the
 * old group, so this clientside callback empties the cache; the grid then sends a new getRowsRequest
 * that the server callback answers for the new group. The returned "first" is the grid's own
 * paginationGoTo property: back to page 1, as with any new list.
 * A file of the site (Content-Security-Policy script-src 'self'): no inline script, no eval.
 */
window.dash_clientside = Object.assign({}, window.dash_clientside, {
  portfolio: {
    refreshGrid: function () {
      var gridId = dash_clientside.callback_context.outputs_list.id;
      window.dash_ag_grid.getApiAsync(gridId).then(function (api) {
        api.purgeInfiniteCache();
      });
      return "first";
    },
  },
});
